package bot

import (
	"fmt"
	"strings"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/membership"
)

// paymentTexts are the texts of buying and of payment problems told to the
// owners.
var paymentTexts = map[string][2]string{
	"buy.closed": {
		"《%s》暂未开放购买，请稍后再来。",
		"Purchases of “%s” are not open yet. Please come back later."},
	"payment.mismatch": {
		"⚠️ <b>付款金额不符</b>\n用户 <code>%d</code> 为《%s》付款 <b>%s</b>，课程价格是 <b>%s</b>。\n没有为他开通学员资格；付款记录已保留（订单 <code>%s</code>）。请在 Stripe 后台核对，必要时退款。",
		"⚠️ <b>Payment amount does not match</b>\nUser <code>%d</code> bought “%s” and paid <b>%s</b>, but the course costs <b>%s</b>.\nNobody was enrolled; the payment is kept on record (order <code>%s</code>). Please check it in the Stripe dashboard and refund it if needed."},
}

// renderPayments renders the notices of package membership.
func renderPayments(c *core, lang Lang, n shequn.Notice) string {
	switch n := n.(type) {
	case membership.PaymentMismatchAlert:
		return T(lang, "payment.mismatch", n.UserID, c.courseTitle(n.Course), money(n.Paid, n.PaidCurrency),
			money(n.Price, n.Currency), n.OrderID)
	}
	return ""
}

// money formats an amount in minor units, e.g. "199.00 CNY".
func money(amount int64, currency string) string {
	sign := ""
	if amount < 0 {
		sign, amount = "-", -amount
	}
	return fmt.Sprintf("%s%d.%02d %s", sign, amount/100, amount%100, strings.ToUpper(currency))
}
