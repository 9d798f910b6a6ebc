package bot

// qqTexts are the texts only QQ shows: the way into a QQ group (its
// number and the buyer's join code, since QQ has no join links), the
// reasons a join request is refused.
var qqTexts = map[string][2]string{
	"qq.invite": {
		"🎉 欢迎加入《%s》！\n你的学员编号：<b>%s</b>\n你的学员群：<b>%s</b>（QQ群号 %d）\n\n在 QQ 里搜索群号申请加入，验证信息填写你的入群码 <b>%s</b>（或学员编号），我会自动通过。进群后群名片会改成你的学员编号。学员群平时全员禁言：作业和问题请私聊我提交。",
		"🎉 Welcome to “%s”!\nYour member number: <b>%s</b>\nYour group: <b>%s</b> (QQ group %d)\n\nSearch for the group number in QQ and ask to join; write your join code <b>%s</b> (or your member number) as the verification message and I approve it at once. Your group card becomes your member number. The student group is muted most of the time: send homework and questions to me privately."},
	"qq.reason.not_member":    {"没有找到你在本群的购买记录：请先私聊机器人购买课程，再按私信里的入群码申请。", "No purchase for this group was found: buy the course from the bot first, then ask with the join code it sends you."},
	"register.other_platform": {"《%s》的学员群都在另一个平台上（Telegram 或 QQ）：一门课的学员群只能在同一个平台。", "The student groups of “%s” are on the other platform (Telegram or QQ): a course's groups all live on one platform."},
	"qq.assign.announce":      {"📚 新作业《%s》\n%s\n满分 %d 分 · 截止 %s\n\n私聊机器人发送 /submit %d 提交作业。", "📚 New assignment “%s”\n%s\nMax score %d · due %s\n\nSend /submit %d to the bot privately to hand it in."},
	"buy.other_platform":      {"《%s》的学员群在另一个平台（QQ 或 Telegram）上：请在那边私聊机器人购买，这样付款的账号才能申请进群。", "The groups of “%s” are on the other platform (QQ or Telegram): buy it from the bot there, so that the account that pays can ask to join."},
	"qq.invite.elsewhere":     {"🎉 欢迎加入《%s》！\n你的学员编号：<b>%s</b>\n你的学员群：<b>%s</b>，在 QQ 上（QQ群号 %d）。你是在 Telegram 上付款的，QQ 不认识这个账号：请联系群主帮你进群。", "🎉 Welcome to “%s”!\nYour member number: <b>%s</b>\nYour group: <b>%s</b>, on QQ (QQ group %d). You paid on Telegram, an account QQ does not know: ask the owners to let you into the group."},
	"qq.reason.no_code":       {"请在验证信息里填写机器人私信给你的入群码或学员编号。", "Write the join code or member number the bot sent you as the verification message."},
}
