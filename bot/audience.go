package bot

import (
	"context"
	"fmt"
	"slices"

	"github.com/shequn/shequn/membership"
)

// Who is the sender's standing in the community, resolved once per update
// before any handler runs, so that no handler looks roles up on its own.
// It decides menus, /help and the router's gate; the services still
// enforce every rule themselves.
type Who struct {
	Owner bool
	// Staff is true for teachers and assistants of some course, and for
	// owners, who review every course.
	Staff bool
	// StaffAll is true when the sender reviews every course; else
	// StaffOf lists the courses they review.
	StaffAll bool
	StaffOf  []string
	// StudentOf lists the courses the sender is an active student of.
	StudentOf []string
	// Enrollments are all the sender's enrollments, cancelled ones too.
	Enrollments []membership.Enrollment
}

// Enrollment returns the sender's enrollment in the course.
func (w Who) Enrollment(course string) (membership.Enrollment, bool) {
	for _, en := range w.Enrollments {
		if en.Course == course {
			return en, true
		}
	}
	return membership.Enrollment{}, false
}

// Is reports whether the sender belongs to the audience.
func (w Who) Is(a Audience) bool {
	switch a {
	case Owners:
		return w.Owner
	case Staff:
		return w.Staff
	}
	return true
}

// Reviews reports whether the sender reviews the course.
func (w Who) Reviews(course string) bool {
	return w.Staff && (w.StaffAll || slices.Contains(w.StaffOf, course))
}

// resolveWho finds the sender's roles and courses. Only updates a person
// sent (a message, a button) need them; the rest get an empty Who but the
// owner flag.
func (b *Bot) resolveWho(ctx context.Context, r *Request) error {
	r.Who = Who{Owner: b.isOwner(r.From.ID)}
	if r.Update.Message == nil && r.Update.CallbackQuery == nil {
		return nil
	}
	ens, err := b.Members.Enrollments(ctx, r.From.ID)
	if err != nil {
		return fmt.Errorf("list enrollments: %w", err)
	}
	r.Who.Enrollments = ens
	for _, en := range ens {
		if en.Active() {
			r.Who.StudentOf = append(r.Who.StudentOf, en.Course)
		}
	}
	scope, all, ok, err := b.Homework.ReviewScope(ctx, r.From.ID)
	if err != nil {
		return err
	}
	r.Who.Staff, r.Who.StaffAll, r.Who.StaffOf = ok, all, scope
	return nil
}

// WithWho is the audience middleware: it resolves the sender's standing
// and hands it to the handler on the request.
func (b *Bot) WithWho(next HandlerFunc) HandlerFunc {
	return func(ctx context.Context, r *Request) error {
		if err := b.resolveWho(ctx, r); err != nil {
			return fmt.Errorf("resolve the sender's roles: %w", err)
		}
		return next(ctx, r)
	}
}

// gate refuses a staff or owner command to others, with the answer the
// handlers gave before they had tables.
func (b *Bot) gate(a Audience, next HandlerFunc) HandlerFunc {
	if a != Staff && a != Owners {
		return next
	}
	return func(ctx context.Context, r *Request) error {
		switch {
		case a == Owners && !r.Who.Owner:
			return b.core.reply(ctx, r, T(r.Lang, "not_owner"))
		case a == Staff && !r.Who.Staff:
			return b.core.reply(ctx, r, T(r.Lang, "not_reviewer"))
		}
		return next(ctx, r)
	}
}
