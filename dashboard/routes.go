package dashboard

import "github.com/pinglinks/pinglinks/account"

// routes is the dashboard's one route table: every page and form is a
// line here, with who may use it (see the package doc on adding a page).
func (h *Handler) routes() []route {
	const (
		viewer    = account.Viewer
		developer = account.Developer
		support   = account.Support
		owner     = account.Owner
	)
	_ = support
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
	}
}
