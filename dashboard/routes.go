package dashboard

import (
	"github.com/pinglinks/pinglinks/account"
	"github.com/pinglinks/pinglinks/flow"
)

// routes is the dashboard's one route table: every page and form is a
// line here, with who may use it (see the package doc on adding a page).
func (h *Handler) routes() []route {
	const (
		viewer    = account.Viewer
		developer = account.Developer
		support   = account.Support
		owner     = account.Owner
	)
	return []route{
		// Signing in and out, invitations, password resets, the account.
		{"GET /dashboard/sign-in", public, "", h.signInPage},
		{"POST /dashboard/sign-in", public, "", h.signIn},
		{"GET /dashboard/sign-in/code", pending, "", h.codePage},
		{"POST /dashboard/sign-in/code", pending, "", h.code},
		{"POST /dashboard/sign-out", public, "", h.signOut},
		{"GET /dashboard/forgot", public, "", h.forgotPage},
		{"POST /dashboard/forgot", public, "", h.forgot},
		{"GET /dashboard/reset/{token}", public, "", h.resetPage},
		{"POST /dashboard/reset/{token}", public, "", h.reset},
		{"GET /dashboard/invite/{token}", public, "", h.invitePage},
		{"POST /dashboard/invite/{token}", public, "", h.acceptInvite},
		{"GET /dashboard/account", member, viewer, h.accountPage},
		{"POST /dashboard/account/sign-out-everywhere", member, viewer, h.signOutEverywhere},
		{"POST /dashboard/account/totp", member, viewer, h.startTOTP},
		{"GET /dashboard/account/totp", member, viewer, h.totpPage},
		{"POST /dashboard/account/totp/enable", member, viewer, h.enableTOTP},

		{"GET /dashboard/{$}", member, viewer, h.overview},

		// The team.
		{"GET /dashboard/team", member, viewer, h.teamPage},
		{"POST /dashboard/team/invite", member, owner, h.invite},
		{"POST /dashboard/team/{id}/role", member, owner, h.setRole},

		// Developers: keys, callbacks, requests.
		{"GET /dashboard/developers", member, developer, h.developersPage},
		{"POST /dashboard/developers/secret", member, developer, h.rotateSecret},
		{"POST /dashboard/developers/secret/retire", member, developer, h.retireSecret},
		{"POST /dashboard/developers/signing-key", member, developer, h.rotateSigningKey},
		{"POST /dashboard/developers/signing-key/retire", member, developer, h.retireSigningKey},
		{"POST /dashboard/developers/test-callback", member, developer, h.testCallback},
		{"GET /dashboard/developers/callbacks/{id}", member, developer, h.callbackPage},
		{"POST /dashboard/developers/callbacks/{id}/redeliver", member, developer, h.redeliver},

		// Settings: the checkout's branding.
		{"GET /dashboard/settings", member, owner, h.settingsPage},
		{"POST /dashboard/settings/branding", member, owner, h.saveBranding},
		{"GET /dashboard/settings/logo", member, owner, h.brandingLogo},

		// Links, orders, merchants, reminders: below this line.
		{"GET /dashboard/links", member, viewer, h.linksPage},
		{"GET /dashboard/links/new", member, support, h.newLinkPage},
		{"POST /dashboard/links/new", member, support, h.createLinkAction},
		{"GET /dashboard/links/{id}", member, viewer, h.linkPage},
		{"POST /dashboard/links/{id}/cancel", member, support, h.cancelLinkAction},
		{"POST /dashboard/links/{id}/send", member, support, h.sendLinkAction},
		{"POST /dashboard/links/{id}/invoice", member, support, h.invoiceAction},
		{"POST /dashboard/links/{id}/refund", member, support, h.refundAction},
		{"GET /dashboard/orders", member, viewer, h.ordersPage},
		{"GET /dashboard/orders/{id}", member, viewer, h.orderPage},
		{"POST /dashboard/orders/{id}/close", member, support, h.orderAction(flow.CloseOrder)},
		{"POST /dashboard/orders/{id}/split", member, support, h.orderAction(flow.SplitOrder)},
		{"POST /dashboard/orders/{id}/settle", member, support, h.orderAction(flow.SettleOrder)},
		{"GET /dashboard/merchants", member, viewer, h.merchantsPage},
		{"POST /dashboard/merchants", member, owner, h.addMerchant},
		{"GET /dashboard/saved", member, viewer, h.savedPage},
		{"POST /dashboard/saved/products", member, support, h.saveProduct},
		{"POST /dashboard/saved/products/{id}/delete", member, support, h.deleteProduct},
		{"POST /dashboard/saved/customers", member, support, h.saveCustomer},
		{"POST /dashboard/saved/customers/{id}/delete", member, support, h.deleteCustomer},
		{"POST /dashboard/saved/reminders", member, owner, h.saveReminders},
	}
}
