package bot

// qqCoreTexts are the core group's texts only QQ shows: the invitation
// with the core group's number and the invitee's code (QQ has no join
// links), the reasons a join request to it is refused, and a core group
// on the other platform than the person's account.
var qqCoreTexts = map[string][2]string{
	"qq.core_invite": {
		"🎉 恭喜你入选核心群！入选理由：%s。\n核心群是社群最活跃的圈子：人人发言、分工协作，每期按贡献评选，末位淘汰。你的学员群座位保持不变。\n\n在 QQ 里搜索核心群群号 %d 申请加入，验证信息填写你的核心群入群码 <b>%s</b>（或学员编号），我会自动通过。邀请有效至 %s，逾期名额将让给下一位候选人。",
		"🎉 Congratulations: you are invited into the core group! Why: %s.\nThe core group is the community's most active circle: everyone speaks and shares the work; members are ranked by contribution each period and the lowest ranked make room. You keep your seat in your student group.\n\nSearch for the core group's number %d in QQ and ask to join; write your core group code <b>%s</b> (or your member number) as the verification message and I approve it at once. The invitation holds until %s; after that the seat passes to the next candidate."},
	"qq.reason.core_not_invited": {"你还没有收到核心群的邀请（或邀请已过期）：核心群只接受受邀的核心候选人。", "You hold no invitation to the core group (or it expired): only invited candidates may join."},
	"qq.reason.core_no_code":     {"请在验证信息里填写机器人私信给你的核心群入群码或学员编号。", "Write the core group code or member number the bot sent you as the verification message."},
	"core.other_platform":        {"%s 的账号不能进核心群：核心群在 %s 上，只有同一平台的账号能申请入群。", "%s cannot join the core group: it is on %s, and only an account there can ask to join."},
}
