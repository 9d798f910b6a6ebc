package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/membership"
)

// speakerOf finds a session's speaker as written: @username on Telegram,
// or qq:<QQ number> for a QQ member who has written to the bot (QQ has no
// usernames). It returns them with the name the notices show.
func speakerOf(ctx context.Context, people *membership.People, s string) (membership.Profile, string, error) {
	if !strings.HasPrefix(strings.ToLower(s), "qq:") {
		p, err := people.ByUsername(ctx, s, false)
		return p, "@" + p.Username, err
	}
	id, err := shequn.ParseUserRef(s)
	if err != nil {
		return membership.Profile{}, "", &membership.NameError{Name: s, Unknown: true}
	}
	p, err := people.Profile(ctx, id)
	if errors.Is(err, shequn.ErrNotFound) {
		return p, "", &membership.NameError{Name: s, Unknown: true}
	}
	if err != nil {
		return p, "", fmt.Errorf("speaker %s: %w", s, err)
	}
	name := p.FirstName
	if name == "" {
		name = shequn.UserRef(id)
	}
	return p, name, nil
}
