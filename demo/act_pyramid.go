package demo

import (
	"context"
	"errors"
	"fmt"

	"github.com/shequn/shequn/bot/telegramtest"
)

// pyramidAct is the pyramid's part of the Q&A act: during a Q&A window
// the owner appoints a monitor by replying to them, and the monitor warns
// and mutes a student who posts an advert.
func pyramidAct(ctx context.Context, h *Harness, t *transcript, group int64) error {
	t.act("6b. 班长维持秩序 / A monitor is appointed and keeps order")
	monitor, spammer := students[0], students[2]
	t.note("the owner opens the group for a Q&A window")
	if err := h.TG.SetPermissions(group, telegramtest.AllPermissions()); err != nil {
		return err
	}
	hello, err := t.post(ctx, monitor.id, group, 0, "老师好，我愿意帮忙管理群")
	if err != nil {
		return err
	}
	if _, err := t.post(ctx, h.Owner, group, hello, "/monitor"); err != nil {
		return err
	}
	rights, _ := h.TG.AdminRightsOf(group, monitor.id)
	t.note(fmt.Sprintf("%s is an administrator titled %q: delete %v, pin %v, restrict %v, add admins %v",
		monitor.name, h.TG.CustomTitle(group, monitor.id), rights.CanDeleteMessages, rights.CanPinMessages,
		rights.CanRestrictMembers, rights.CanPromoteMembers))
	ad, err := t.post(ctx, spammer.id, group, 0, "加我微信，便宜卖课程资料")
	if err != nil {
		return err
	}
	for _, cmd := range []string{"/warn 发广告", "/mute 2h 继续发广告"} {
		if _, err := t.post(ctx, monitor.id, group, ad, cmd); err != nil {
			return err
		}
	}
	t.note("the monitor's commands are deleted from the group; the advert stays for the record")
	t.note("the owner mutes the group again: the Q&A window is over")
	if err := h.TG.SetPermissions(group, telegramtest.ChatPermissions{}); err != nil {
		return err
	}
	var errs []error
	if !rights.CanRestrictMembers || rights.CanPromoteMembers || h.TG.CustomTitle(group, monitor.id) != "班长" {
		errs = append(errs, fmt.Errorf("%s is not a monitor with a monitor's rights: %+v", monitor.name, rights))
	}
	if perms, in := h.TG.MemberPermissions(group, spammer.id); !in || perms.CanSendMessages {
		errs = append(errs, fmt.Errorf("%s is not muted", spammer.name))
	}
	return errors.Join(errs...)
}

// post has a user write in a chat, in reply to a message when to is not
// zero, prints it, steps, and returns the message's id.
func (t *transcript) post(ctx context.Context, from, chat int64, to int, text string) (int, error) {
	where := " in " + t.who(chat)
	if to != 0 {
		where += fmt.Sprintf(" (replying to #%d)", to)
	}
	var id int
	var err error
	if to == 0 {
		id, err = t.h.TG.SendText(from, chat, text)
	} else {
		id, err = t.h.TG.SendReply(from, chat, to, text)
	}
	if err != nil {
		return 0, err
	}
	fmt.Fprintf(t.out, "%s%s: %s   [#%d]\n", t.who(from), where, text, id)
	return id, t.h.Step(ctx)
}
