package bot

// qqFridayTexts are the sessions' texts that QQ's rules cause: what
// stands in for a Telegram picture or file not fetched, the reminder
// without a button, and /checkin from a private chat.
var qqFridayTexts = map[string][2]string{
	"qq.session.photo": {"[图片]", "[picture]"},
	"qq.session.file":  {"[文件]", "[file]"},
	// A QQ reminder has no button, and its group is muted as a whole
	// (全员禁言): members answer with the number, or write /checkin to the
	// bot privately.
	"qq.session.reminder": {"📣 <b>周五分享会</b>\n主题：<b>%s</b>\n分享人：%s\n时间：%s（%s后开始）\n\n回复下方编号签到；群内禁言时，私聊我发送 /checkin 签到。",
		"📣 <b>Friday session</b>\nTopic: <b>%s</b>\nSpeaker: %s\nWhen: %s (starts in %s)\n\nReply with the number below to check in; while the group is muted, send /checkin to me privately."},
	"session.checkin_none":     {"现在没有安排中的分享会。", "No session is scheduled now."},
	"session.checkin_no_group": {"你还没有进入这场分享会的学员群，暂时不能签到。", "You are not in a student group of this session yet, so you cannot check in."},
}
