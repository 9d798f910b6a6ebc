package bot

// qqModTexts are the pyramid's answers that only QQ's rules cause.
var qqModTexts = map[string][2]string{
	"pyr.owner_only": {"在 QQ 上只有群主能设管理员，请群主手动设置 %s 的管理员身份和“班长”头衔。机器人的账号不是群主，所以在 QQ 上没有改动。",
		"On QQ only the group's owner can make or unmake administrators; please ask the owner to set %s's administrator status and the 班长 title by hand. The bot's account is not the owner, so nothing was changed on QQ."},
	"pyr.mute_usage_qq": {"禁言时长写作 30m、2h 或 3d：在 QQ 上最短 1 分钟，最长 30 天。", "Write a mute's length as 30m, 2h or 3d: on QQ at least a minute, at most 30 days."},
}
