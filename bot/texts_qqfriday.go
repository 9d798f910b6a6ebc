package bot

// qqFridayTexts stand in, on QQ, for what a relayed or broadcast message
// held that could not be sent there (a Telegram picture or file not
// fetched).
var qqFridayTexts = map[string][2]string{
	"qq.session.photo": {"[图片]", "[picture]"},
	"qq.session.file":  {"[文件]", "[file]"},
}
