package bot

// catalog holds every text the bot shows: [zh-CN, English]. Arguments are
// fmt verbs; texts are HTML (parse_mode=HTML). Each feature keeps its
// texts in a map of its own and registers it here, explicitly; a key
// defined twice is reported by TestCatalogHasNoDuplicates.
var catalog = mergeTexts(generalTexts, enrollmentTexts, groupTexts, homeworkTexts, roleTexts, paymentTexts, pyramidTexts, deskTexts, qqTexts, qqModTexts, sessionTexts, coreTexts, qqCoreTexts, qqFridayTexts)

// mergeTexts joins the features' catalogs. A key defined twice keeps its
// first text and is recorded in duplicateTexts: a missing or doubled text
// never stops the bot.
func mergeTexts(parts ...map[string][2]string) map[string][2]string {
	all := map[string][2]string{}
	for _, p := range parts {
		for k, v := range p {
			if _, dup := all[k]; dup {
				duplicateTexts = append(duplicateTexts, k)
				continue
			}
			all[k] = v
		}
	}
	return all
}

// duplicateTexts lists the keys more than one catalog defines.
var duplicateTexts []string

// generalTexts are the texts every feature uses: /help's headings, errors.
var generalTexts = map[string][2]string{
	// Help and general.
	"help.header":       {"<b>社群机器人</b>", "<b>Community bot</b>"},
	"help.owner":        {"\n\n<b>管理命令</b>", "\n\n<b>Admin commands</b>"},
	"unknown_command":   {"我不认识这个命令。发送 /help 查看可用命令。", "I don't know that command. Send /help to see what I can do."},
	"private_only":      {"请私聊我使用这个命令。", "Please send me this command in a private chat."},
	"not_owner":         {"只有社群所有者可以使用这个命令。", "Only the community's owners can use this command."},
	"error.internal":    {"出了点问题，请稍后再试。我们已经记录下来了。", "Something went wrong; please try again later. We have logged it."},
	"error.unavailable": {"服务暂时不可用，请稍后再试。", "The service is unavailable right now; please try again later."},
	"error.not_found":   {"没有找到。", "Not found."},
	"error.conflict":    {"操作与当前状态冲突。", "That conflicts with the current state."},
	"error.forbidden":   {"你没有权限这样做。", "You are not allowed to do that."},
	"error.not_yet":     {"还有一步没有完成，请稍后再试。", "Something this depends on is not done yet; please try again shortly."},
	"slow_down":         {"你发送命令太快了，请一分钟后再试。", "You are sending commands too fast; please wait a minute and try again."},
	"text.missing":      {"（这条消息暂时无法显示，我们已经记录下来了。）", "(This message cannot be shown right now; we have logged it.)"},
	"error.invalid":     {"输入有误，请检查后重试。", "That input is not valid; please check it and try again."},
}

// enrollmentTexts are the texts of buying, enrollment notices, /me and
// the language.
var enrollmentTexts = map[string][2]string{
	// Buying.
	"start.courses":   {"欢迎！购买课程即可加入学员社群，获得个人学员编号。\n\n可购买的课程：\n%s", "Welcome! Buying a course is your ticket into the student community, with a personal member number.\n\nCourses:\n%s"},
	"start.course":    {"• <b>%s</b> — %s", "• <b>%s</b> — %s"},
	"start.none":      {"暂时没有可购买的课程。", "There are no courses on sale right now."},
	"start.price_see": {"价格见付款页", "price on the payment page"},
	"buy.button":      {"购买：%s", "Buy: %s"},
	"buy.pay_button":  {"前往付款", "Pay now"},
	"buy.link":        {"《%s》的付款页已准备好，请点击下方按钮完成付款（支持银行卡、支付宝、微信支付）。付款成功后，我会把你的学员编号和入群方式发给你。", "The payment page for “%s” is ready: tap the button below to pay. When the payment succeeds I will send you your member number and the way into your group."},
	"buy.already":     {"你已经是《%s》的学员了（编号 <b>%s</b>）。发送 /me 查看入群方式。", "You are a member of “%s” already (number <b>%s</b>). Send /me for the way into your group."},
	"buy.unknown":     {"没有找到课程 %s。发送 /start 查看所有课程。", "There is no course %s. Send /start to see all courses."},

	// Enrollment notices.
	"invite": {
		"🎉 欢迎加入《%s》！\n你的学员编号：<b>%s</b>\n你的学员群：<b>%s</b>\n\n点击下方按钮申请入群，我会自动通过。学员群平时全员禁言：作业和问题请私聊我提交；每周五有干货分享。",
		"🎉 Welcome to “%s”!\nYour member number: <b>%s</b>\nYour group: <b>%s</b>\n\nTap the button below to ask to join; I approve it at once. The student group is muted most of the time: send homework and questions to me privately; there is a sharing session every Friday."},
	"invite.button": {"加入%s", "Join %s"},
	"waitlist": {
		"🎉 付款成功！你在《%s》的学员编号是 <b>%s</b>。\n目前学员群都已满员，你已进入候补名单；一有空位，我会立即把入群方式发给你。",
		"🎉 Payment received! Your member number in “%s” is <b>%s</b>.\nEvery student group is full right now, so you are on the waitlist; I will send you the way in as soon as a seat is free."},
	"removed": {
		"你在《%s》的学员资格（编号 %s）因退款或支付争议已取消，你已被移出%s。如需重新加入，可再次购买课程，编号保持不变。",
		"Your membership of “%s” (number %s) was cancelled after a refund or payment dispute, and you were taken out of %s. You can buy the course again to come back; your number stays the same."},
	"removed.nogroup": {"学员群", "the student group"},
	"arrival":         {"欢迎 %s 加入，学员编号 %s 🎉", "Welcome %s, member %s 🎉"},
	"arrival.member":  {"%s（%s）", "%s (%s)"},
	"arrivals":        {"欢迎新同学加入 🎉 %s", "Welcome to our new members 🎉 %s"},
	"rules": {
		"📌 欢迎来到《%s》%s！\n本群是学员群，平时全员禁言，保持信息清爽：\n• 作业请私聊机器人提交，老师会点评\n• 有问题请私聊机器人提问\n• 每周五有干货分享，分享时会开放发言\n发送 /me（私聊机器人）可查看你的学员编号。",
		"📌 Welcome to %[2]s of “%[1]s”!\nThis student group is muted most of the time, to keep it clear:\n• send homework to the bot privately; teachers review it\n• ask questions to the bot privately\n• every Friday there is a sharing session, when everyone may speak\nSend /me to the bot privately to see your member number."},
	"rules.core": {
		"📌 欢迎来到核心群！这里人人发言、分工协作。核心成员按作业和贡献每期评选，末位淘汰。",
		"📌 Welcome to the core group! Everyone speaks here and shares the work. Core members are chosen each period by homework and contribution; the lowest ranked make room for new ones."},
	"waitlist.alert": {
		"⚠️《%s》的学员群已全部满员，已有 %d 人在候补。\n请新建一个群，把机器人设为管理员（邀请用户、封禁成员、置顶消息、删除消息），然后在群里发送：\n<code>/register student %s 2000</code>",
		"⚠️ Every student group of “%s” is full and %d buyer(s) are waiting.\nCreate a new group, make the bot an administrator (invite users, ban users, pin messages, delete messages), then send in that group:\n<code>/register student %s 2000</code>"},
	"group.student": {"学员%d群", "Student group %d"},
	"group.core":    {"核心群", "Core group"},
	"group.titled":  {"%s「%s」", "%s “%s”"},
	"group.ready":   {"✅ %s 已设置完成：已全员禁言并置顶群公告。", "✅ %s is set up: members are muted and the rules are pinned."},
	"group.problem.right": {
		"⚠️ 机器人在 %s 缺少管理员权限：%s。在打开之前，本群的公告、入群审批和移出都暂停。请在群设置里打开这项权限；打开后会自动继续（也可以在群里再发送一次 /register）。",
		"⚠️ The bot lacks an administrator right in %s: %s. Until it is turned on, announcements, join approvals and removals in that group wait. Turn the right on in the group settings; the bot carries on by itself (or send /register in the group again)."},
	"group.problem.removed": {
		"⚠️ 机器人已不是 %s 的管理员（可能被移出或降级）。本群的公告、入群审批和移出都暂停。请把机器人重新设为管理员，然后在群里发送 /register。",
		"⚠️ The bot is no longer an administrator of %s (removed or demoted). Announcements, join approvals and removals in that group wait. Make the bot an administrator again, then send /register in the group."},
	"group.problem.gone": {
		"⚠️ %s 已不存在（群被删除）。本群的公告、入群审批和移出都已停止。",
		"⚠️ %s no longer exists (the group was deleted). Announcements, join approvals and removals there have stopped."},

	// /me
	"me.none":     {"你还没有购买任何课程。发送 /start 查看课程。", "You have not bought a course yet. Send /start to see the courses."},
	"me.seated":   {"《%s》 编号 <b>%s</b>\n学员群：%s（已在群里）", "“%s” number <b>%s</b>\nGroup: %s (you are in it)"},
	"me.away":     {"《%s》 编号 <b>%s</b>\n学员群：%s（你还不在群里，点击下方按钮加入）", "“%s” number <b>%s</b>\nGroup: %s (you are not in it: tap the button below to join)"},
	"me.waiting":  {"《%s》 编号 <b>%s</b>\n候补中：学员群已满员，有空位时我会通知你。", "“%s” number <b>%s</b>\nOn the waitlist: every group is full; I will tell you when a seat is free."},
	"me.released": {"《%s》 编号 <b>%s</b>\n已因退款或争议取消。", "“%s” number <b>%s</b>\nCancelled after a refund or dispute."},
	"me.pending":  {"《%s》 编号 <b>%s</b>\n正在为你安排学员群，请稍候。", "“%s” number <b>%s</b>\nYour group is being arranged; one moment."},

	// /language
	"language.choose": {"请选择语言 / Choose your language:", "Choose your language / 请选择语言:"},
	"language.set":    {"已切换为中文。", "Language set to English."},
}

// groupTexts are the texts of registering groups and their notices.
var groupTexts = map[string][2]string{
	// Groups, for owners.
	"register.usage": {
		"用法：\n<code>/register student &lt;课程&gt; &lt;容量&gt;</code> — 登记学员群\n<code>/register core [容量]</code> — 登记核心群（不写容量为默认值；每门课一个核心群时写 <code>/register core &lt;课程&gt; [容量]</code>）\n课程：%s",
		"Usage:\n<code>/register student &lt;course&gt; &lt;capacity&gt;</code> — register a student group\n<code>/register core [capacity]</code> — register the core group (the configured capacity when left out; <code>/register core &lt;course&gt; [capacity]</code> when every course has its own)\nCourses: %s"},
	"register.in_group":      {"请在要登记的群里发送 /register。", "Send /register in the group you want to register."},
	"register.ok":            {"✅ 本群已登记为《%s》%s，容量 %d 人。已全员禁言并置顶群公告。", "✅ This group is now %[2]s of “%[1]s”, capacity %[3]d. Members are muted and the rules are pinned."},
	"register.pending":       {"✅ 本群已登记为《%s》%s，容量 %d 人。禁言和置顶群公告尚未完成，完成后我会私聊告诉你。", "✅ This group is now %[2]s of “%[1]s”, capacity %[3]d. Muting and pinning the rules are not done yet; I will tell you privately when they are."},
	"register.ok_core":       {"✅ 本群已登记为核心群，容量 %d 人。", "✅ This group is now the core group, capacity %d."},
	"register.not_admin":     {"请先把机器人设为本群管理员，再发送 /register。", "Make the bot an administrator of this group first, then send /register again."},
	"register.missing":       {"机器人缺少这些管理员权限：%s。请在群设置里打开后再发送 /register。", "The bot lacks these administrator rights: %s. Turn them on in the group settings, then send /register again."},
	"register.duplicate":     {"本群已经登记过了。发送 /groups 查看。", "This group is registered already. Send /groups to see it."},
	"register.core_taken":    {"已经有核心群了（全社群一个，或该课程已有一个）。", "There is a core group already (one for the community, or that course has one)."},
	"register.capacity":      {"容量必须是 1 到 200000 之间的整数。", "The capacity must be a whole number from 1 to 200000."},
	"right.invite_users":     {"邀请用户", "Invite users via link"},
	"right.restrict_members": {"封禁成员", "Ban users"},
	"right.pin_messages":     {"置顶消息", "Pin messages"},
	"right.delete_messages":  {"删除消息", "Delete messages"},
	"right.separator":        {"、", ", "},
	"groups.none":            {"还没有登记任何群。在群里发送 /register 登记。", "No group is registered yet. Send /register in a group to register it."},
	"groups.header":          {"已登记的群（%d 个）：", "Registered groups (%d):"},
	"groups.line":            {"• %s《%s》— %d/%d 人", "• %s “%s” — %d/%d seats"},
	"groups.line_core":       {"• %s — %d/%d 人", "• %s — %d/%d seats"},
	"groups.waiting":         {"  候补：《%s》%d 人", "  waiting: “%s” %d"},
	"bot.added":              {"你好！我是社群机器人。社群所有者请在本群发送 /register 登记本群。", "Hello! I am the community bot. An owner of the community should send /register in this group to register it."},
}
