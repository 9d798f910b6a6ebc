package bot

// roleTexts are the texts of granting and revoking roles.
var roleTexts = map[string][2]string{
	"role.usage":          {"用法：<code>/grant teacher @用户 [课程]</code>，或回复对方的消息发送 <code>/grant teacher [课程]</code>。角色：teacher（老师）、assistant（助教）。", "Usage: <code>/grant teacher @user [course]</code>, or reply to their message with <code>/grant teacher [course]</code>. Roles: teacher, assistant."},
	"role.unknown_user":   {"找不到 %s：请对方先私聊机器人发送 /start，或回复对方的消息。", "I don't know %s yet: ask them to send /start to the bot privately, or reply to one of their messages."},
	"role.granted":        {"✅ 已授予 %s %s（%s）。", "✅ %s is now %s (%s)."},
	"role.revoked":        {"已收回 %s 的%s（%s）。", "%s is no longer %s (%s)."},
	"role.person":         {"%s（id %s，%s）", "%s (id %s, %s)"},
	"role.no_number":      {"非学员", "not a student"},
	"role.ambiguous_user": {"用户名 %s 先后属于多个用户（id %s）：有人改过用户名，无法确定你指的是谁。请回复对方的消息发送 /grant。", "%s has been the username of several people (ids %s): someone changed names, so I can't tell whom you mean. Reply to their message with /grant instead."},
	"role.stale_user":     {"%s 已经 %d 天没有出现过（最后一次在 %s）；超过 %d 天没见到的用户名可能已换了主人。请对方私聊机器人发送 /start，或回复对方的消息发送 /grant。", "I last saw %s %d days ago (%s); a username not seen for over %d days may belong to someone else now. Ask them to send /start to the bot privately, or reply to their message with /grant."},
	"role.not_held":       {"%s 没有这个角色。", "%s does not hold that role."},
	"role.teacher":        {"老师", "a teacher"},
	"role.assistant":      {"助教", "an assistant"},
	"role.all_courses":    {"全部课程", "all courses"},
}
