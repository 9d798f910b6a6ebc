package demo

import (
	"testing"
	"time"
)

// A group join link an administrator revoked in the app is replaced: the
// next buyer gets a working link, and /me gives a member who never got in
// the new one.
func TestRevokedJoinLinkIsReplaced(t *testing.T) {
	h := mustStart(t)
	g := community(t, h, 50)
	buyer(t, h, 42, "en")
	_, err := h.Paid(t.Context(), 42, 1)
	must(t, err)
	old, ok := h.LinkButton(42, "https://t.me/+")
	if !ok {
		t.Fatal("no join link in the invite")
	}
	must(t, h.TG.RevokeInviteLink(old))
	h.Clock.Advance(2 * time.Minute)
	buyer(t, h, 43, "en")
	_, err = h.Paid(t.Context(), 43, 1)
	must(t, err)
	link, _ := h.LinkButton(43, "https://t.me/+")
	if link == old {
		t.Fatalf("the revoked link %s was handed out again", old)
	}
	must(t, h.Join(t.Context(), 43))
	if !h.TG.IsMember(g, 43) {
		t.Fatal("the buyer could not join with the new link")
	}
	must(t, h.Say(t.Context(), 42, 42, "/me"))
	must(t, h.Join(t.Context(), 42))
	if !h.TG.IsMember(g, 42) {
		t.Fatal("/me did not give a working link")
	}
}
