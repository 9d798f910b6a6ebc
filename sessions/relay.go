package sessions

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// AlbumSettle is how long after an album's last item the album counts as
// complete. Telegram delivers an album as one message per item, a moment
// apart; the relay copies the album as one (copyMessages) once no item
// came for this long or something else followed it.
const AlbumSettle = 2 * time.Second

// relaySteps lists the relay's steps in a chat: a message on its own, or
// the consecutive items of one album together. settled is false when the
// last album may still grow; it is left out, and so is all that follows.
func (s *Service) relaySteps(w work, chat int64, now time.Time) (steps []step, settled bool) {
	rs := w.relays
	for i := 0; i < len(rs); {
		r := rs[i]
		if r.Ref.Album == "" {
			steps = append(steps, step{key: relayKey(w.ID, r.Seq), do: func(ctx context.Context) (int, error) {
				return 0, s.Platform.Copy(ctx, chat, r.Ref, true)
			}})
			i++
			continue
		}
		j := i + 1
		for j < len(rs) && rs[j].Ref.Album == r.Ref.Album && rs[j].Ref.ChatID == r.Ref.ChatID {
			j++
		}
		items := rs[i:j]
		if j == len(rs) && now.Sub(items[len(items)-1].At) < AlbumSettle {
			return steps, false
		}
		steps = append(steps, step{key: fmt.Sprintf("s%d:a%d", w.ID, r.Seq), self: true, do: func(ctx context.Context) (int, error) {
			return 0, s.copyAlbum(ctx, w.ID, chat, items, now)
		}})
		i = j
	}
	return steps, true
}

// copyAlbum copies, as one album, the items not in the chat yet, and
// records each: an item that came late (after its album was copied) is
// copied on its own, never the album again.
func (s *Service) copyAlbum(ctx context.Context, sessionID, chat int64, items []Relay, now time.Time) error {
	var pending []Relay
	for _, it := range items {
		p, err := s.Posts.PostOf(ctx, relayKey(sessionID, it.Seq), chat)
		if err != nil {
			return fmt.Errorf("read step %s: %w", relayKey(sessionID, it.Seq), err)
		}
		if p.PostedAt.IsZero() {
			pending = append(pending, it)
		}
	}
	if len(pending) == 0 {
		return nil
	}
	ref := MessageRef{ChatID: pending[0].Ref.ChatID}
	for _, it := range pending {
		ref.MessageIDs = append(ref.MessageIDs, it.Ref.MessageIDs...)
		ref.Items = append(ref.Items, it.Ref.Items...)
	}
	err := s.Platform.Copy(ctx, chat, ref, true)
	if errors.Is(err, ErrSourceGone) {
		s.Log.WarnContext(ctx, "relayed album deleted before it was copied", "session", sessionID, "chat", chat)
	} else if err != nil {
		return err
	}
	for _, it := range pending {
		if err := s.mark(ctx, relayKey(sessionID, it.Seq), chat, 0, now); err != nil {
			return err
		}
	}
	return nil
}

func relayKey(sessionID int64, seq int) string { return fmt.Sprintf("s%d:r%d", sessionID, seq) }
