package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
)

// coreDesk is the core group's cycle as people see it: promoting, the
// candidates' queue, awards, a member's contribution, the elimination's
// preview, protection and a person's history.
type coreDesk struct {
	*corePeople
}

// named resolves the person and the scope a command names; done is true
// when the user was answered already (a refusal).
func (f *coreDesk) named(ctx context.Context, r *Request, arg string) (who person, scope string, done bool, err error) {
	who, refusal, err := f.target(ctx, r, arg)
	if err != nil || refusal != "" {
		return who, "", true, cmpErr(err, f.reply(ctx, r, refusal))
	}
	scope, ok, err := f.scope(ctx, r, who.ID)
	if err != nil {
		return who, "", true, err
	}
	if !ok {
		return who, "", true, f.reply(ctx, r, T(r.Lang, "core.which_group"))
	}
	return who, scope, false, nil
}

// cmpErr returns err when set, else the reply's error.
func cmpErr(err, replyErr error) error {
	if err != nil {
		return err
	}
	return replyErr
}

func firstArg(r *Request) string {
	if len(r.Args) == 0 {
		return ""
	}
	return r.Args[0]
}

// promote puts a student at the head of the queue: "/promote @user",
// "/promote PPT-00042", or in reply to their message.
func (f *coreDesk) promote(ctx context.Context, r *Request) error {
	who, scope, done, err := f.named(ctx, r, firstArg(r))
	if done {
		return err
	}
	label := f.label(ctx, who)
	ens, err := f.People.Enrollments(ctx, who.ID)
	if err != nil {
		return fmt.Errorf("enrollments of %d: %w", who.ID, err)
	}
	student := false
	for _, en := range ens {
		student = student || en.Active() && f.Groups.CoreRules.Scope(en.Course) == scope
	}
	if !student {
		return f.reply(ctx, r, T(r.Lang, "core.not_student", label))
	}
	err = f.Groups.Promote(ctx, r.From.ID, scope, who.ID)
	if errors.Is(err, groups.ErrCoreOtherPlatform) {
		return f.reply(ctx, r, T(r.Lang, "core.other_platform", label, platformName(!shequn.IsQQ(who.ID))))
	}
	if shequn.ErrorCode(err) == shequn.CodeConflict {
		return f.reply(ctx, r, T(r.Lang, "core.promote_already", label))
	}
	if err != nil {
		return err
	}
	f.Log.InfoContext(ctx, "promoted to the core group's queue", "user", who.ID, "by", r.From.ID, "scope", scope)
	return f.reply(ctx, r, T(r.Lang, "core.promoted", label))
}

// candidates lists the head of the queue, each with the reason.
func (f *coreDesk) candidates(ctx context.Context, r *Request) error {
	scope, ok, err := f.scope(ctx, r, 0)
	if err != nil || !ok {
		return cmpErr(err, f.reply(ctx, r, T(r.Lang, "core.which_group")))
	}
	cs, err := f.Groups.Candidates(ctx, scope, 30)
	if err != nil {
		return err
	}
	if len(cs) == 0 {
		return f.reply(ctx, r, T(r.Lang, "core.candidates_none"))
	}
	lines := []string{T(r.Lang, "core.candidates_header", len(cs))}
	for i, c := range cs {
		lines = append(lines, T(r.Lang, "core.candidate_line", i+1, f.labelOf(ctx, c.UserID),
			HTML(reasonText(r.Lang, c.Reason)), f.date(r.Lang, c.QualifiedAt)))
	}
	return f.reply(ctx, r, strings.Join(lines, "\n"))
}

// award gives a core member points with a reason: "/award @user 5 wrote
// chapter 3", or "/award 5 reason" in reply to their message.
func (f *coreDesk) award(ctx context.Context, r *Request) error {
	args := r.Args
	arg := ""
	if len(args) > 0 {
		if _, err := strconv.Atoi(args[0]); err != nil || r.Message.ReplyToMessage == nil {
			arg, args = args[0], args[1:]
		}
	}
	if len(args) < 2 {
		return f.reply(ctx, r, T(r.Lang, "core.award_usage"))
	}
	points, err := strconv.Atoi(args[0])
	if err != nil || points == 0 || points < -100 || points > 100 {
		return f.reply(ctx, r, T(r.Lang, "core.award_usage"))
	}
	who, scope, done, err := f.named(ctx, r, arg)
	if done {
		return err
	}
	label := f.label(ctx, who)
	if in, err := f.Groups.IsCoreMember(ctx, scope, who.ID); err != nil || !in {
		return cmpErr(err, f.reply(ctx, r, T(r.Lang, "core.not_member", label)))
	}
	reason := strings.Join(args[1:], " ")
	if err := f.Groups.Award(ctx, r.From.ID, scope, who.ID, points, reason); err != nil {
		return err
	}
	return f.reply(ctx, r, T(r.Lang, "core.awarded", label, points, reason))
}

// contrib shows a member their standing in the period and its parts;
// staff may name someone.
func (f *coreDesk) contrib(ctx context.Context, r *Request) error {
	who, scope := person{ID: r.From.ID, FirstName: r.From.FirstName, Username: r.From.UserName}, ""
	if len(r.Args) > 0 || (r.Message.ReplyToMessage != nil && r.Who.Staff) {
		if !r.Who.Staff {
			return f.reply(ctx, r, T(r.Lang, "not_reviewer"))
		}
		var done bool
		var err error
		if who, scope, done, err = f.named(ctx, r, firstArg(r)); done {
			return err
		}
	} else {
		var ok bool
		var err error
		if scope, ok, err = f.scope(ctx, r, who.ID); err != nil || !ok {
			return cmpErr(err, f.reply(ctx, r, T(r.Lang, "core.which_group")))
		}
	}
	ms, err := f.Groups.Contribution(ctx, scope, who.ID)
	if errors.Is(err, shequn.ErrNotFound) {
		return f.reply(ctx, r, T(r.Lang, "core.not_member", f.label(ctx, who)))
	}
	if err != nil {
		return err
	}
	ledger, err := f.Groups.Ledger(ctx, scope, who.ID)
	if err != nil {
		return err
	}
	return f.reply(ctx, r, f.standingText(ctx, r.Lang, who, ms, ledger))
}

// standingText renders a standing: points, rank, the parts, whether the
// member is safe, and the entries with their source, author and reason.
func (f *coreDesk) standingText(ctx context.Context, lang Lang, who person, ms groups.MemberStanding, ledger []groups.Contribution) string {
	lines := []string{standingHeader(lang, f.label(ctx, who), f.Groups.CorePeriod(f.Now()), ms)}
	for _, p := range ms.Standing.Parts {
		lines = append(lines, T(lang, "core.contrib_part", sourceName(lang, p.Source), p.Points))
	}
	switch {
	case ms.Exempt:
		lines = append(lines, T(lang, "core.contrib_exempt"))
	case ms.AtRisk:
		lines = append(lines, T(lang, "core.contrib_at_risk", ms.Gap))
	default:
		lines = append(lines, T(lang, "core.contrib_safe"))
	}
	for _, c := range ledger {
		by := T(lang, "core.by_service")
		if c.By != 0 {
			by = f.labelOf(ctx, c.By)
		}
		lines = append(lines, T(lang, "core.contrib_entry", sourceName(lang, c.Source), c.Points, c.Reason, by, f.date(lang, c.At)))
	}
	return strings.Join(lines, "\n")
}

// standingHeader is the first line of a standing: points and rank.
func standingHeader(lang Lang, label, period string, ms groups.MemberStanding) string {
	return T(lang, "core.contrib_header", label, period, ms.Standing.Points, ms.Rank, ms.Members)
}

// sourceName names a source of contribution points.
func sourceName(lang Lang, s groups.Source) string {
	switch s {
	case groups.SourceHomework:
		return T(lang, "core.source_homework")
	case groups.SourceTask:
		return T(lang, "core.source_task")
	case groups.SourceSession:
		return T(lang, "core.source_session")
	}
	return T(lang, "core.source_award")
}

// eliminate answers "/eliminate preview": who would leave if the period
// ended now, and why.
func (f *coreDesk) eliminate(ctx context.Context, r *Request) error {
	if len(r.Args) != 1 || !strings.EqualFold(r.Args[0], "preview") {
		return f.reply(ctx, r, T(r.Lang, "core.eliminate_usage"))
	}
	scope, ok, err := f.scope(ctx, r, 0)
	if err != nil || !ok {
		return cmpErr(err, f.reply(ctx, r, T(r.Lang, "core.which_group")))
	}
	ds, err := f.Groups.PreviewElimination(ctx, scope)
	if err != nil {
		return err
	}
	if len(ds) == 0 {
		return f.reply(ctx, r, T(r.Lang, "core.preview_none"))
	}
	lines := []string{T(r.Lang, "core.preview_header", len(ds))}
	for _, d := range ds {
		lines = append(lines, T(r.Lang, "core.preview_line", f.labelOf(ctx, d.UserID), d.Rank, d.Points, d.Gap))
	}
	return f.reply(ctx, r, strings.Join(lines, "\n"))
}

func (f *coreDesk) protect(ctx context.Context, r *Request) error { return f.setProtect(ctx, r, true) }
func (f *coreDesk) unprotect(ctx context.Context, r *Request) error {
	return f.setProtect(ctx, r, false)
}

// setProtect keeps a core member from elimination, or ends that.
func (f *coreDesk) setProtect(ctx context.Context, r *Request, on bool) error {
	who, scope, done, err := f.named(ctx, r, firstArg(r))
	if done {
		return err
	}
	label := f.label(ctx, who)
	if in, err := f.Groups.IsCoreMember(ctx, scope, who.ID); err != nil || !in {
		return cmpErr(err, f.reply(ctx, r, T(r.Lang, "core.not_member", label)))
	}
	if err := f.Groups.Protect(ctx, r.From.ID, scope, who.ID, on); err != nil {
		return err
	}
	if on {
		return f.reply(ctx, r, T(r.Lang, "core.protected", label))
	}
	return f.reply(ctx, r, T(r.Lang, "core.unprotected", label))
}

// history shows a person's record with the core group, oldest first.
func (f *coreDesk) history(ctx context.Context, r *Request) error {
	who, scope, done, err := f.named(ctx, r, firstArg(r))
	if done {
		return err
	}
	label := f.label(ctx, who)
	events, err := f.Groups.History(ctx, scope, who.ID)
	if err != nil {
		return err
	}
	if len(events) == 0 {
		return f.reply(ctx, r, T(r.Lang, "core.history_none", label))
	}
	lines := []string{T(r.Lang, "core.history_header", label)}
	for _, e := range events {
		lines = append(lines, T(r.Lang, "core.history_line", f.date(r.Lang, e.At), HTML(f.eventText(ctx, r.Lang, e))))
	}
	return f.reply(ctx, r, strings.Join(lines, "\n"))
}

// eventText says what a history event was.
func (f *coreDesk) eventText(ctx context.Context, lang Lang, e groups.CoreEvent) string {
	switch e.Kind {
	case groups.EventQualified:
		return T(lang, "core.event_qualified", HTML(reasonText(lang, e.Reason)))
	case groups.EventInvited:
		return T(lang, "core.event_invited")
	case groups.EventExpired:
		return T(lang, "core.event_expired")
	case groups.EventJoined:
		return T(lang, "core.event_joined")
	case groups.EventLeft:
		return T(lang, "core.event_left")
	case groups.EventEliminated:
		d := e.Decision
		return T(lang, "core.event_eliminated", d.Rank, d.Points, d.Gap)
	case groups.EventProtected:
		return T(lang, "core.event_protected", f.labelOf(ctx, e.By))
	case groups.EventUnprotected:
		return T(lang, "core.event_unprotected", f.labelOf(ctx, e.By))
	}
	return string(e.Kind)
}

// coreTable declares the core group's commands; its tasks and chains are
// coreWork's (workTable).
func (f *coreDesk) coreTable() Table {
	t := Table{Commands: []Command{
		{Name: "promote", Audience: Staff, Where: Anywhere, Handle: f.promote,
			Menu: [2]string{"推荐学员进核心群（老师）", "Promote a student to the core group (teachers)"},
			Help: [2]string{"@用户|学员编号 — 推荐进核心群（排在候选队列首位）", "@user|member number — promote to the core group (head of the queue)"}},
		{Name: "candidates", Audience: Staff, Where: Anywhere, Handle: f.candidates,
			Menu: [2]string{"核心群候选队列（老师）", "The core group's candidates (teachers)"},
			Help: [2]string{"— 核心群候选队列及入选理由", "— the core group's queue, each with the reason"}},
		{Name: "award", Audience: Staff, Where: Anywhere, Handle: f.award,
			Menu: [2]string{"给核心成员加贡献分（老师）", "Award a core member points (teachers)"},
			Help: [2]string{"@用户 &lt;分数&gt; &lt;理由&gt; — 给核心成员加贡献分", "@user &lt;points&gt; &lt;reason&gt; — award a core member points"}},
		{Name: "eliminate", Audience: Staff, Where: Anywhere, Handle: f.eliminate,
			Menu: [2]string{"预览末位淘汰（老师）", "Preview the elimination (teachers)"},
			Help: [2]string{"preview — 如果本期现在结束，谁会离开核心群", "preview — who would leave the core group if the period ended now"}},
		{Name: "history", Audience: Staff, Where: Anywhere, Handle: f.history,
			Menu: [2]string{"核心群记录（老师）", "A person's core group record (teachers)"},
			Help: [2]string{"@用户 — 此人与核心群有关的全部记录", "@user — everything that happened between them and the core group"}},
		{Name: "protect", Audience: Owners, Where: Anywhere, Handle: f.protect,
			Menu: [2]string{"保护核心成员免淘汰（所有者）", "Keep a core member from elimination (owners)"},
			Help: [2]string{"@用户 — 保护核心成员，不参与末位淘汰", "@user — keep a core member from elimination"}},
		{Name: "unprotect", Audience: Owners, Where: Anywhere, Handle: f.unprotect,
			Menu: [2]string{"取消保护（所有者）", "End a member's protection (owners)"},
			Help: [2]string{"@用户 — 取消保护", "@user — end the protection"}},
		{Name: "contrib", Audience: Students, Where: Anywhere, Handle: f.contrib,
			Menu: [2]string{"我的核心群贡献", "My core group contribution"},
			Help: [2]string{"— 我在核心群本期的贡献、排名和组成（老师可加 @用户）", "— my contribution in the core group this period, rank and parts (staff may add @user)"}},
	}}
	return t
}

// platformName names a platform for a text: QQ or Telegram.
func platformName(qq bool) string {
	if qq {
		return "QQ"
	}
	return "Telegram"
}
