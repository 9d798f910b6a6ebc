package bot

import (
	"context"
	"encoding/json"
	"fmt"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// commandMenus are the command lists Telegram shows, per audience:
// students in private chats, administrators in groups.
var commandMenus = []struct {
	scope    string
	commands [][3]string // command, zh-CN, English
}{
	{"all_private_chats", [][3]string{
		{"start", "查看课程并购买", "See the courses and buy one"},
		{"me", "我的学员编号和学员群", "My member number and group"},
		{"assignments", "进行中的作业", "Open assignments"},
		{"submit", "提交作业", "Hand in homework"},
		{"mywork", "我的作业和成绩", "My work and grades"},
		{"rank", "我的排名", "My place"},
		{"review", "批改作业（老师）", "Review homework (teachers)"},
		{"assign", "布置作业（老师）", "Publish an assignment (teachers)"},
		{"queue", "待批改情况（老师）", "The review queue (teachers)"},
		{"top", "排行榜（老师）", "The leaderboard (teachers)"},
		{"language", "切换语言", "Change the language"},
		{"help", "帮助", "Help"},
	}},
	{"all_chat_administrators", [][3]string{
		{"register", "登记本群（所有者）", "Register this group (owners)"},
		{"groups", "所有群及座位（所有者）", "All groups and seats (owners)"},
		{"help", "帮助", "Help"},
	}},
}

// SetCommands publishes the command menus: Chinese as the default and
// English for clients set to English.
func (b *Bot) SetCommands(ctx context.Context) error {
	for _, m := range commandMenus {
		scope, _ := json.Marshal(map[string]string{"type": m.scope})
		for _, lang := range []struct {
			code  string
			index int
		}{{"", 1}, {"zh", 1}, {"en", 2}} {
			cmds := make([]tgbotapi.BotCommand, len(m.commands))
			for i, c := range m.commands {
				cmds[i] = tgbotapi.BotCommand{Command: c[0], Description: c[lang.index]}
			}
			list, _ := json.Marshal(cmds)
			params := tgbotapi.Params{"commands": string(list), "scope": string(scope)}
			params.AddNonEmpty("language_code", lang.code)
			if _, err := b.Sender.Call(ctx, Interactive, 0, "setMyCommands", params); err != nil {
				return fmt.Errorf("setMyCommands %s %s: %w", m.scope, lang.code, err)
			}
		}
	}
	return nil
}
