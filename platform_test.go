package shequn

import "testing"

func TestQQIdsKeepOutOfTelegramsRange(t *testing.T) {
	for _, n := range []int64{1, 10001, 3141592653, 1<<40 - 1} {
		u, g := QQUser(n), QQGroup(n)
		if !IsQQ(u) || !IsQQ(g) || QQNumber(u) != n || QQNumber(g) != n {
			t.Errorf("QQ %d: user %d group %d, IsQQ %v/%v, numbers %d/%d", n, u, g, IsQQ(u), IsQQ(g), QQNumber(u), QQNumber(g))
		}
		if u <= 1<<52 || g >= -(1<<52) {
			t.Errorf("QQ %d maps into Telegram's range: %d, %d", n, u, g)
		}
	}
	for _, tg := range []int64{1, 7_000_000_000, 1<<52 - 1, -1001234567890, -(1<<52 - 1)} {
		if IsQQ(tg) || QQNumber(tg) != 0 {
			t.Errorf("Telegram id %d is taken for QQ", tg)
		}
	}
}

func TestParseUserRef(t *testing.T) {
	for in, want := range map[string]int64{"42": 42, " qq:10001 ": QQUser(10001), "QQ:7": QQUser(7)} {
		got, err := ParseUserRef(in)
		if err != nil || got != want {
			t.Errorf("ParseUserRef(%q) = %d, %v; want %d", in, got, err, want)
		}
		if back, _ := ParseUserRef(UserRef(got)); back != got {
			t.Errorf("UserRef(%d) = %q does not read back", got, UserRef(got))
		}
	}
	for _, bad := range []string{"", "qq:", "qq:-5", "0", "x1", "qq:abc", "9007199254740993", "qq:4503599627370496"} {
		if id, err := ParseUserRef(bad); err == nil {
			t.Errorf("ParseUserRef(%q) = %d, want an error", bad, id)
		}
	}
}
