package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// dialogueDesk takes answers to the open question and /cancel, for every
// feature's dialogues.
type dialogueDesk struct{ *core }

// dialogueFor is how long the bot waits for the answer to its question.
const dialogueFor = 30 * time.Minute

// Dialogue is a kind of question a feature asks, declared in its table:
// the handler of the answer and, optionally, what /cancel undoes. The
// payload, what the question needs to remember, is a typed value stored
// as JSON; see answerWith.
type Dialogue struct {
	Kind   string
	Answer func(ctx context.Context, r *Request, payload json.RawMessage) error
	Cancel func(ctx context.Context, r *Request, payload json.RawMessage) error // may be nil
}

// errUnreadable marks a stored payload that does not decode: written by
// an older version, or damaged.
var errUnreadable = errors.New("unreadable dialogue payload")

// payload is a dialogue's typed payload; valid is false when the stored
// value lacks what the answer needs.
type payload interface{ valid() bool }

// answerWith adapts a handler of a typed payload P to the registry.
func answerWith[P payload](h func(ctx context.Context, r *Request, p P) error) func(context.Context, *Request, json.RawMessage) error {
	return func(ctx context.Context, r *Request, raw json.RawMessage) error {
		p, err := decodePayload[P](raw)
		if err != nil {
			return err
		}
		return h(ctx, r, p)
	}
}

func decodePayload[P payload](raw json.RawMessage) (P, error) {
	var p P
	if err := json.Unmarshal(raw, &p); err != nil || !p.valid() {
		return p, fmt.Errorf("%w: %s", errUnreadable, raw)
	}
	return p, nil
}

// ask opens a dialogue of the kind with its payload: the user's next
// private message is its answer.
func (c *core) ask(ctx context.Context, userID int64, kind string, p payload) error {
	data, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode the question: %w", err)
	}
	if err := c.Dialogues.SetDialogue(ctx, userID, kind, string(data), c.Now().Add(dialogueFor)); err != nil {
		return fmt.Errorf("remember the question: %w", err)
	}
	return nil
}

// openDialogue returns the user's open question; kind is "" when there is
// none or it expired.
func (c *core) openDialogue(ctx context.Context, userID int64) (kind string, raw json.RawMessage, err error) {
	kind, data, expires, err := c.Dialogues.Dialogue(ctx, userID)
	if err != nil {
		return "", nil, fmt.Errorf("read dialogue: %w", err)
	}
	if kind == "" || c.Now().After(expires) {
		return "", nil, nil
	}
	return kind, json.RawMessage(data), nil
}

// closeDialogue forgets the user's open question.
func (c *core) closeDialogue(ctx context.Context, userID int64) error {
	if err := c.Dialogues.ClearDialogue(ctx, userID); err != nil {
		return fmt.Errorf("clear dialogue: %w", err)
	}
	return nil
}

// answer takes a private message as the answer to the open question, or
// hands it to noAnswer when there is none. A question the bot cannot read
// back (stored by an older version, or of a kind no feature declares any
// more) is dropped with a polite restart.
func (d *dialogueDesk) answer(ctx context.Context, r *Request) error {
	c := d.core
	kind, raw, err := c.openDialogue(ctx, r.From.ID)
	if err != nil {
		return err
	}
	if kind == "" {
		return c.noAnswer(ctx, r)
	}
	dl, ok := c.dialogues[kind]
	if !ok {
		return c.restart(ctx, r, fmt.Errorf("%w: no dialogue %q", errUnreadable, kind))
	}
	err = dl.Answer(ctx, r, raw)
	if errors.Is(err, errUnreadable) {
		return c.restart(ctx, r, err)
	}
	return err
}

// restart drops an unreadable dialogue and asks the user to start over.
func (c *core) restart(ctx context.Context, r *Request, cause error) error {
	c.Log.WarnContext(ctx, "dialogue dropped", "user", r.From.ID, "err", cause)
	if err := c.closeDialogue(ctx, r.From.ID); err != nil {
		return err
	}
	return c.reply(ctx, r, T(r.Lang, "dialogue.lost"))
}

// cancel forgets the open question, undoing what it held.
func (d *dialogueDesk) cancel(ctx context.Context, r *Request) error {
	c := d.core
	kind, raw, err := c.openDialogue(ctx, r.From.ID)
	if err != nil {
		return err
	}
	if kind == "" {
		return c.reply(ctx, r, T(r.Lang, "nothing_to_do"))
	}
	if dl := c.dialogues[kind]; dl.Cancel != nil {
		if err := dl.Cancel(ctx, r, raw); err != nil && !errors.Is(err, errUnreadable) {
			c.Log.WarnContext(ctx, "undo a cancelled dialogue", "user", r.From.ID, "kind", kind, "err", err)
		}
	}
	if err := c.closeDialogue(ctx, r.From.ID); err != nil {
		return err
	}
	return c.reply(ctx, r, T(r.Lang, "cancelled"))
}

// dialogueTable declares what every dialogue shares: the answer to the
// open question, and /cancel.
func (d *dialogueDesk) dialogueTable() Table {
	return Table{
		Commands: []Command{
			{Name: "cancel", Audience: Anyone, Where: Anywhere, Handle: d.cancel,
				Menu: [2]string{"取消当前操作", "Stop what is in progress"},
				Help: [2]string{"— 取消当前操作", "— stop what is in progress"}},
		},
		Events: []EventRoute{{func(r *Request) bool { return r.Private && r.Command == "" && r.Update.Message != nil }, d.answer}},
	}
}
