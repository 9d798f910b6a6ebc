package bot

// qqFridayTexts stand in, on QQ, for what a relayed or broadcast message
// held that could not be sent there (a Telegram picture or file not
// fetched).
var qqFridayTexts = map[string][2]string{
	"qq.session.photo": {"[图片]", "[picture]"},
	"qq.session.file":  {"[文件]", "[file]"},
	// A QQ student group is muted as a whole: its members check in by
	// writing to the bot.
	"qq.session.checkin_hint":  {"群内禁言时，私聊我发送 /checkin 即可签到。", "While the group is muted, send /checkin to me privately to check in."},
	"session.checkin_none":     {"现在没有安排中的分享会。", "No session is scheduled now."},
	"session.checkin_no_group": {"你还没有进入这场分享会的学员群，暂时不能签到。", "You are not in a student group of this session yet, so you cannot check in."},
}
