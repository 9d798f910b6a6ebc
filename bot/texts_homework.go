package bot

func init() {
	for k, v := range homeworkTexts {
		if _, dup := catalog[k]; dup {
			panic("bot: text defined twice: " + k)
		}
		catalog[k] = v
	}
}

// homeworkTexts are the texts of homework, reviews and roles.
var homeworkTexts = map[string][2]string{
	"help.staff":          {"\n\n<b>老师命令</b>", "\n\n<b>Teacher commands</b>"},
	"cancelled":           {"已取消。", "Cancelled."},
	"dialogue.lost":       {"抱歉，我没能接上刚才的操作，请重新开始（例如再次发送 /submit 或 /review）。", "Sorry, I lost track of what we were doing; please start again (for example, send /submit or /review again)."},
	"nothing_to_do":       {"现在没有进行中的操作。", "There is nothing in progress."},
	"not_reviewer":        {"抱歉，只有本课程的老师和助教可以这样做。", "Sorry, only the course's teachers and assistants can do that."},
	"not_enrolled":        {"你还不是这门课的学员。发送 /start 购买课程。", "You are not a student of this course. Send /start to buy it."},
	"role.usage":          {"用法：<code>/grant teacher @用户 [课程]</code>，或回复对方的消息发送 <code>/grant teacher [课程]</code>。角色：teacher（老师）、assistant（助教）。", "Usage: <code>/grant teacher @user [course]</code>, or reply to their message with <code>/grant teacher [course]</code>. Roles: teacher, assistant."},
	"role.unknown_user":   {"找不到 %s：请对方先私聊机器人发送 /start，或回复对方的消息。", "I don't know %s yet: ask them to send /start to the bot privately, or reply to one of their messages."},
	"role.granted":        {"✅ 已授予 %s %s（%s）。", "✅ %s is now %s (%s)."},
	"role.revoked":        {"已收回 %s 的%s（%s）。", "%s is no longer %s (%s)."},
	"role.person":         {"%s（id %d，%s）", "%s (id %d, %s)"},
	"role.no_number":      {"非学员", "not a student"},
	"role.ambiguous_user": {"用户名 %s 先后属于多个用户（id %s）：有人改过用户名，无法确定你指的是谁。请回复对方的消息发送 /grant。", "%s has been the username of several people (ids %s): someone changed names, so I can't tell whom you mean. Reply to their message with /grant instead."},
	"role.stale_user":     {"%s 已经 %d 天没有出现过（最后一次在 %s）；超过 %d 天没见到的用户名可能已换了主人。请对方私聊机器人发送 /start，或回复对方的消息发送 /grant。", "I last saw %s %d days ago (%s); a username not seen for over %d days may belong to someone else now. Ask them to send /start to the bot privately, or reply to their message with /grant."},
	"role.not_held":       {"%s 没有这个角色。", "%s does not hold that role."},
	"role.teacher":        {"老师", "a teacher"},
	"role.assistant":      {"助教", "an assistant"},
	"role.all_courses":    {"全部课程", "all courses"},

	// Assignments.
	"assign.usage": {
		"布置作业：发送 /assign 按提示一步步填写，或一行写完：\n<code>/assign &lt;课程&gt; &lt;截止日期 YYYY-MM-DD 或 -&gt; &lt;满分&gt; &lt;标题&gt; | &lt;说明&gt;</code>\n例：<code>/assign ppt 2026-12-01 100 第一课：封面设计 | 做一页封面，配色不超过三种</code>",
		"Publish an assignment: send /assign and answer the questions, or in one line:\n<code>/assign &lt;course&gt; &lt;due YYYY-MM-DD or -&gt; &lt;max score&gt; &lt;title&gt; | &lt;description&gt;</code>\nExample: <code>/assign ppt 2026-12-01 100 Lesson 1: a cover | one slide, at most three colours</code>"},
	"assign.ask_course":    {"布置哪门课的作业？请发送课程代码：%s（/cancel 取消）", "Which course is it for? Send its id: %s (/cancel to stop)"},
	"assign.ask_title":     {"作业标题是什么？（/cancel 取消）", "What is the assignment's title? (/cancel to stop)"},
	"assign.ask_due":       {"截止日期？格式 YYYY-MM-DD 或 YYYY-MM-DD HH:MM（%s 时间），没有截止日期发送 -", "When is it due? YYYY-MM-DD or YYYY-MM-DD HH:MM (%s time), or - for no due date"},
	"assign.ask_max":       {"满分多少？（1–1000）", "What is the maximum score? (1–1000)"},
	"assign.ask_desc":      {"作业说明？没有就发送 -", "The description? Send - for none."},
	"assign.bad_due":       {"看不懂这个日期，请按 YYYY-MM-DD 或 YYYY-MM-DD HH:MM 发送，且晚于现在。", "I can't read that date: send YYYY-MM-DD or YYYY-MM-DD HH:MM, later than now."},
	"assign.due_too_far":   {"截止日期最多设在 %d 年之内，即不晚于 %s。请检查年份。", "A due date can be at most %d years ahead, that is on or before %s. Please check the year."},
	"assign.bad_max":       {"满分必须是 1 到 1000 的整数。", "The maximum score must be a whole number from 1 to 1000."},
	"assign.bad_title":     {"标题要 1 到 100 个字。", "The title needs 1 to 100 characters."},
	"assign.created":       {"✅ 作业 #%d《%s》已发布，将在学员群公告并置顶。", "✅ Assignment #%d “%s” is published; it will be announced and pinned in the student groups."},
	"assign.announce":      {"📚 新作业《%s》\n%s\n满分 %d 分 · 截止 %s\n\n点击下方按钮，私聊机器人提交作业。", "📚 New assignment “%s”\n%s\nMax score %d · due %s\n\nTap the button below to hand it in to the bot privately."},
	"assign.submit_button": {"提交作业", "Hand it in"},
	"assign.no_due":        {"不限", "no due date"},
	"assignments.none":     {"目前没有进行中的作业。", "There are no open assignments."},
	"assignments.header":   {"进行中的作业：", "Open assignments:"},
	"assignments.line":     {"• #%d《%s》— 满分 %d · 截止 %s", "• #%d “%s” — max %d · due %s"},

	// Submitting.
	"submit.choose":   {"要提交哪份作业？", "Which assignment are you handing in?"},
	"submit.button":   {"#%d %s", "#%d %s"},
	"submit.ask":      {"请发送《%s》的作业：文字、链接、一张图片或一个文件都可以。（/cancel 取消）", "Send your work for “%s”: text, a link, a photo or a file. (/cancel to stop)"},
	"submit.unknown":  {"没有找到作业 #%s。发送 /assignments 查看。", "There is no assignment #%s. Send /assignments to see them."},
	"submit.ok":       {"✅ 已收到《%s》第 %d 版，等待老师批改。批改前再次提交会替换这一版。", "✅ Version %[2]d of “%[1]s” received; a teacher will review it. Submitting again before the review replaces it."},
	"submit.ok_late":  {"✅ 已收到《%s》第 %d 版（已过截止日期，记为迟交）。", "✅ Version %[2]d of “%[1]s” received (past the due date: marked late)."},
	"submit.too_late": {"《%s》已过截止日期，不再接受提交。", "“%s” is past its due date and no longer takes submissions."},
	"submit.reviewed": {"这份作业已经批改过了（或正在批改），不能再提交。发送 /mywork 查看成绩。", "This work is reviewed already (or being reviewed) and can't be replaced. Send /mywork to see your grade."},
	"submit.bad":      {"请发送文字、链接、一张图片或一个文件。", "Please send text, a link, a photo or a file."},
	"page.of":         {"（第 %d/%d 页）", " (page %d of %d)"},
	"page.prev":       {"‹ 上一页", "‹ Previous"},
	"page.next":       {"下一页 ›", "Next ›"},
	"mywork.none":     {"你还没有提交过作业。发送 /assignments 查看作业。", "You have not handed in any work yet. Send /assignments to see the assignments."},
	"mywork.header":   {"我的作业：", "My work:"},
	"mywork.pending":  {"• 《%s》第 %d 版 — 等待批改%s", "• “%s” version %d — waiting for review%s"},
	"mywork.reviewed": {"• 《%s》第 %d 版 — %s，%d 分%s", "• “%s” version %d — %s, %d points%s"},
	"mywork.redo":     {"• 《%s》第 %d 版 — 需要重做，请再次提交%s", "• “%s” version %d — to redo: please hand it in again%s"},
	"mywork.late":     {"（迟交）", " (late)"},
	"mywork.comment":  {"\n  评语：%s", "\n  Comment: %s"},
	"grade.excellent": {"优秀", "excellent"},
	"grade.good":      {"良好", "good"},
	"grade.pass":      {"及格", "pass"},
	"grade.redo":      {"重做", "redo"},

	// Feedback to the student.
	"feedback":         {"📝《%s》第 %d 版已批改：<b>%s</b>，%d / %d 分。%s", "📝 Version %[2]d of “%[1]s” is reviewed: <b>%[3]s</b>, %[4]d / %[5]d points.%[6]s"},
	"feedback.redo":    {"📝《%s》第 %d 版需要重做。%s\n修改后发送 /submit 再次提交。", "📝 Version %[2]d of “%[1]s” needs to be redone.%[3]s\nSend /submit to hand it in again."},
	"feedback.comment": {"\n老师评语：%s", "\nComment: %s"},
	"feedback.penalty": {"（迟交扣 %d%%）", " (late: -%d%%)"},

	// Reviewing.
	"review.none":        {"没有等待批改的作业了 🎉", "Nothing waits for review 🎉"},
	"review.card":        {"#%d《%s》· %s · 第 %d 版 · %s%s\n\n%s", "#%d “%s” · %s · version %d · %s%s\n\n%s"},
	"review.late":        {" · 迟交", " · late"},
	"review.file":        {"（见上方文件）", "(the file above)"},
	"review.skip":        {"跳过", "Skip"},
	"review.held":        {"另一位老师正在批改这份作业。发送 /review 看下一份。", "Another reviewer is looking at this one. Send /review for the next."},
	"review.gone":        {"这份作业已被新版本替换。发送 /review 看下一份。", "A newer version replaced this one. Send /review for the next."},
	"review.chosen":      {"已选：%s，%d 分。发送评语，或发送 /skip 不写评语。", "Chosen: %s, %d points. Send a comment, or /skip for none."},
	"review.done":        {"✅ #%d 已评为%s（%d 分），已通知学员。发送 /review 批改下一份。", "✅ #%d graded %s (%d points); the student is told. Send /review for the next."},
	"review.done_unsent": {"✅ #%d 已评为%s（%d 分）。学员暂时收不到私信：会稍后重试，学员也可以发送 /mywork 查看。发送 /review 批改下一份。", "✅ #%d graded %s (%d points). The student can't be reached by DM right now: it is retried later, and they can see it with /mywork. Send /review for the next."},
	"review.released":    {"已放回队列。", "Put back in the queue."},
	"grade.usage":        {"用法：<code>/grade &lt;编号&gt; &lt;分数|excellent|good|pass|redo&gt; [评语]</code>", "Usage: <code>/grade &lt;id&gt; &lt;score|excellent|good|pass|redo&gt; [comment]</code>"},
	"grade.too_high":     {"分数不能超过满分 %d。", "The score can't be above the maximum %d."},
	"grade.not_found":    {"没有找到作业提交 #%s。", "There is no submission #%s."},

	// Rankings and queue.
	"rank.none":      {"你在《%s》还没有得分。提交作业、等待批改后就有排名了。", "You have no points in “%s” yet: hand in work and it will count once reviewed."},
	"rank.header":    {"《%s》我的排名：", "My place in “%s”:"},
	"rank.line":      {"• %s：第 %d 名，%d 分", "• %s: #%d with %d points"},
	"rank.no_points": {"• %s：暂无得分", "• %s: no points yet"},
	"period.week":    {"本周", "This week"},
	"period.month":   {"本月", "This month"},
	"period.all":     {"总榜", "All time"},
	"rank.which":     {"你参加了多门课程，请指定：%s", "You take several courses; name one: %s"},
	"top.usage":      {"用法：<code>/top [课程] [week|month|all]</code>", "Usage: <code>/top [course] [week|month|all]</code>"},
	"top.none":       {"《%s》%s还没有人得分。", "Nobody has points in “%s” (%s) yet."},
	"top.header":     {"🏆《%s》%s前 %d 名：", "🏆 “%s” %s, top %d:"},
	"top.line":       {"%d. %s — %d 分", "%d. %s — %d points"},
	"queue":          {"待批改 %d 份%s\n本周批改：%s", "%d waiting for review%s\nReviews this week: %s"},
	"queue.oldest":   {"，最早提交于 %s", ", the oldest handed in %s"},
	"queue.below":    {"见下", "below"},
	"queue.nobody":   {"暂无", "none yet"},
	"queue.by":       {"%s %d 份", "%s %d"},
	"digest":         {"📬 早上好！有 %d 份作业等待批改%s。发送 /review 开始。", "📬 Good morning! %d submissions wait for review%s. Send /review to start."},
}
