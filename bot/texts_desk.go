package bot

// deskTexts are the texts of the Q&A desk: questions, the FAQ, tickets,
// answers, ratings and the desk's figures.
var deskTexts = map[string][2]string{
	"desk.ask_usage":   {"请在 /ask 后写下你的问题，或者直接把问题发给我。", "Write your question after /ask, or just send it to me."},
	"desk.not_member":  {"答疑服务只对学员开放。发送 /start 购买课程。", "The Q&A desk is for students. Send /start to buy a course."},
	"desk.faq_hit":     {"💡 %s\n\n<i>（常见问题自动回复）</i>", "💡 %s\n\n<i>(an answer from the FAQ)</i>"},
	"desk.not_helpful": {"没有解决，转给助教", "This didn't help: ask a person"},
	"desk.asked": {"✅ 问题已收到（工单 #%d），助教会尽快私信回复你。",
		"✅ Question received (ticket #%d); an assistant will answer you here soon."},
	"desk.slow_down": {"问题发得太快了：请把问题写在一条消息里，一分钟后再发。",
		"That is a lot of questions at once: put your question in one message and send again in a minute."},
	"desk.passed": {"好的，已转给助教（工单 #%d），请稍候。", "All right: it went to an assistant (ticket #%d). They will answer here."},
	"desk.ticket": {
		"📮 工单 #%d · %s · %s%s\n学员编号：<b>%s</b>\n\n%s\n\n直接回复这条消息即可回答，或发送 <code>/answer %[1]d 你的回答</code>。",
		"📮 Ticket #%d · %s · %s%s\nMember: <b>%s</b>\n\n%s\n\nReply to this message to answer, or send <code>/answer %[1]d your answer</code>."},
	"desk.level1":    {"（转交给你）", " (passed on to you)"},
	"desk.level2":    {"（已升级给老师）", " (escalated to the teachers)"},
	"desk.no_group":  {"未入群", "no group"},
	"desk.shortened": {"…（问题过长，已截断）", "… (shortened)"},
	"desk.answer": {"💬 关于你的问题：\n<i>%s</i>\n\n%s\n\n这个回答有帮助吗？请打分（1–5）。",
		"💬 About your question:\n<i>%s</i>\n\n%s\n\nDid this help? Please rate it (1–5)."},
	"desk.star":         {"%d⭐", "%d⭐"},
	"desk.answered":     {"✅ 已转给学员（工单 #%d）。", "✅ Sent to the student (ticket #%d)."},
	"desk.unreachable":  {"⚠️ 回答已记录（工单 #%d），但学员屏蔽了机器人，暂时无法送达。", "⚠️ The answer is kept (ticket #%d), but the student has blocked the bot and cannot get it now."},
	"desk.save_faq":     {"存为常见问题", "Save as FAQ"},
	"desk.rated":        {"谢谢你的评价！", "Thank you for rating!"},
	"desk.not_yours":    {"这不是你的问题。", "That is not your question."},
	"desk.closed":       {"这个工单已经无法再处理了。", "That ticket cannot be changed any more."},
	"desk.text_only":    {"请用文字回答。", "Please answer with text."},
	"desk.answer_usage": {"回答工单：<code>/answer &lt;工单号&gt; &lt;回答&gt;</code>，或直接回复工单消息。", "Answer a ticket: <code>/answer &lt;ticket&gt; &lt;answer&gt;</code>, or reply to the ticket's message."},
	"desk.save_ask": {"请发送这条回答的关键词，用逗号或分号分隔，例如：<code>模板，template</code>（/cancel 取消）",
		"Send the keywords for this answer, separated by commas or semicolons, e.g. <code>模板, template</code> (/cancel to stop)"},

	// The FAQ.
	"faq.usage": {
		"常见问题：\n<code>/faq add &lt;课程&gt; &lt;关键词1，关键词2&gt; | &lt;回答&gt;</code>\n<code>/faq list [课程]</code>\n<code>/faq del &lt;编号&gt;</code>\n批量导入：发送一个 .csv 文件（每行：关键词,回答），文件说明写 <code>/faq import &lt;课程&gt;</code>。",
		"The FAQ:\n<code>/faq add &lt;course&gt; &lt;keyword1, keyword2&gt; | &lt;answer&gt;</code>\n<code>/faq list [course]</code>\n<code>/faq del &lt;id&gt;</code>\nImport: send a .csv file (each row: keywords,answer) with the caption <code>/faq import &lt;course&gt;</code>."},
	"faq.added":      {"✅ 常见问题 #%d 已加入《%s》。关键词：%s", "✅ FAQ entry #%d added to “%s”. Keywords: %s"},
	"faq.deleted":    {"🗑 常见问题 #%d 已删除。", "🗑 FAQ entry #%d deleted."},
	"faq.none":       {"还没有常见问题。", "There are no FAQ entries yet."},
	"faq.header":     {"常见问题（%d 条）", "FAQ entries (%d)"},
	"faq.line":       {"#%d [%s] <b>%s</b> → %s", "#%d [%s] <b>%s</b> → %s"},
	"faq.imported":   {"✅ 已导入 %d 条常见问题到《%s》。", "✅ %d FAQ entries imported into “%s”."},
	"faq.import_bad": {"❌ 导入失败，一条也没有导入。请修改这些行后重新发送：\n%s", "❌ Nothing was imported. Please fix these rows and send the file again:\n%s"},
	"faq.bad_line":   {"第 %d 行：%s", "line %d: %s"},
	"faq.too_big":    {"文件太大了：最多 %d MB。", "The file is too big: at most %d MB."},
	"faq.row_empty":  {"需要关键词和回答", "it needs keywords and an answer"},
	"faq.row_bad":    {"格式不对：每行是“关键词,回答”，关键词用分号分隔、每个不超过 50 字，最多 20 个", "not keywords,answer (keywords separated by semicolons, each at most 50 characters, at most 20)"},
	"faq.more_lines": {"……还有 %d 行", "… and %d more"},
	"faq.not_csv":    {"请发送一个 .csv 文件（UTF-8，每行：关键词,回答）。", "Please send a .csv file (UTF-8, each row: keywords,answer)."},

	// Figures.
	"desk.figures": {
		"📊 答疑台（本周，自 %s 起）\n待回答：<b>%d</b>\n本周提问：%d，其中常见问题自动解答 %d%%\n首次回复用时：中位数 %s，90%% 在 %s 内\n本周回答：%s",
		"📊 The Q&A desk (this week, since %s)\nOpen tickets: <b>%d</b>\nAsked this week: %d, %d%% answered by the FAQ\nTime to the first answer: median %s, 90%% within %s\nAnswered this week: %s"},
	"desk.summary": {
		"📊 答疑台周报（%s 起的七天）\n待回答：<b>%d</b>\n提问：%d，其中常见问题自动解答 %d%%\n首次回复用时：中位数 %s，90%% 在 %s 内\n回答：%s",
		"📊 The Q&A desk's week (seven days since %s)\nOpen tickets: <b>%d</b>\nAsked: %d, %d%% answered by the FAQ\nTime to the first answer: median %s, 90%% within %s\nAnswered: %s"},
	"desk.by":      {"%s %d 个", "%s %d"},
	"desk.nobody":  {"暂无", "none yet"},
	"desk.minutes": {"%d 分钟", "%d min"},
	"desk.hours":   {"%d 小时 %d 分", "%dh %dm"},
}
