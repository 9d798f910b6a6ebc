package bot

// qqModTexts are the pyramid's answers that only QQ's rules cause.
var qqModTexts = map[string][2]string{
	"pyr.owner_only": {"在 QQ 上只有群主能设管理员，请群主手动设置：把 %s 设为本群管理员，头衔“班长”。机器人的账号不是群主，所以没有任命。",
		"On QQ only the group's owner can make administrators; please ask the owner to do it by hand: make %s an administrator of the group with the title “班长”. The bot's account is not the owner, so nobody was appointed."},
	"pyr.mute_usage_qq": {"禁言时长写作 30m、2h 或 3d：在 QQ 上最短 1 分钟，最长 30 天。", "Write a mute's length as 30m, 2h or 3d: on QQ at least a minute, at most 30 days."},
}
