// Command shequn runs a paid learning community in Telegram groups.
//
//	shequn serve [-config shequn.yaml]   run the bot
//	shequn backup [-config shequn.yaml] FILE   copy the embedded store to FILE while serve runs
//	shequn demo                          run the whole community on this machine and print the story
//	shequn version                       print the version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/shequn/shequn/app"
	"github.com/shequn/shequn/config"
	"github.com/shequn/shequn/demo"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

// usageError makes main exit 2, the convention for a wrong invocation or
// configuration.
type usageError struct{ error }

func run(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: shequn serve [-config FILE] | shequn backup [-config FILE] FILE | shequn demo | shequn version")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch args[0] {
	case "serve":
		err = serve(ctx, args[1:], stderr, getenv)
	case "backup":
		err = backup(ctx, args[1:], stdout, stderr, getenv)
	case "demo":
		err = demo.Run(ctx, stdout)
	case "version":
		fmt.Fprintln(stdout, "shequn", version)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, "usage: shequn serve [-config FILE] | shequn backup [-config FILE] FILE | shequn demo | shequn version")
	default:
		err = usageError{fmt.Errorf("unknown command %q (want serve, backup, demo or version)", args[0])}
	}
	var ue usageError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "shequn:", err)
		return 2
	case err != nil:
		fmt.Fprintln(stderr, "shequn:", err)
		return 1
	}
	return 0
}

func serve(ctx context.Context, args []string, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", config.DefaultPath, "configuration file (YAML); environment variables override it")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	explicit := false
	fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "config" })
	cfg, err := config.Load(*path, explicit, getenv)
	if err != nil {
		return usageError{err}
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err}
	}
	if err := cfg.RequireTelegram(); err != nil {
		return usageError{err}
	}
	log := app.NewLogger(stderr, cfg.Level(), cfg.Secrets())
	if !cfg.PaymentsEnabled() {
		log.Warn("payments are not open: the Stripe webhook answers 503 and Buy says purchases are not open yet; set SHEQUN_STRIPE_SECRET_KEY and SHEQUN_STRIPE_WEBHOOK_SECRET to open them")
	}
	a, err := app.New(ctx, cfg, log, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Run(ctx)
}
