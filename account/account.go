// Package account holds the rules of the dashboard's people: a user belongs
// to one tenant and has one role; passwords are hashed with argon2id; a
// second factor is a TOTP code; failed sign-ins lock the account for a
// while; invitations, password resets and sessions are random tokens of
// which only a hash is kept. Like package pinglinks it imports neither
// HTTP nor SQL: package store keeps these, package dashboard serves them.
package account

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
)

// Role is what a user may do in their tenant's dashboard.
type Role string

// The roles, from most to least powerful.
const (
	Owner     Role = "owner"     // everything, including the team and the settings
	Developer Role = "developer" // API keys, callbacks and the request log
	Support   Role = "support"   // links, payments and refunds
	Viewer    Role = "viewer"    // reads everything, changes nothing
)

// Roles lists every role, for forms and docs.
var Roles = []Role{Owner, Developer, Support, Viewer}

// ParseRole reads a role's name.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", pinglinks.Invalid("role", "must be one of owner, developer, support, viewer")
}

// Allows reports whether a user of role r may act as role need: owners may
// do everything, anyone may do what a viewer may, the others only their own.
func (r Role) Allows(need Role) bool {
	return r == Owner || need == Viewer || r == need
}

// Label is the role's name for people.
func (r Role) Label() string {
	switch r {
	case Owner:
		return "Owner"
	case Developer:
		return "Developer"
	case Support:
		return "Support"
	}
	return "Viewer"
}

// User is a person who signs in to a tenant's dashboard.
type User struct {
	ID           uuid.UUID
	TenantID     uuid.UUID
	Email        string
	Name         string
	PasswordHash string
	Role         Role
	// TOTPSecret is set once enrolment starts; it counts as a second
	// factor only once TOTPEnabledAt is set (the user proved a code).
	TOTPSecret    string
	TOTPEnabledAt *time.Time
	// TOTPLastStep is the time step of the last code accepted: a code is
	// good once (RFC 6238 §5.2).
	TOTPLastStep  int64
	FailedSignins int
	LockedUntil   *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// TwoFactor reports whether signing in takes a TOTP code.
func (u *User) TwoFactor() bool { return u.TOTPEnabledAt != nil }

// Lock-out: after MaxFailedSignins wrong passwords or codes in a row the
// account refuses every sign-in for LockFor, however right the password.
const (
	MaxFailedSignins = 5
	LockFor          = 15 * time.Minute
)

// Locked reports whether the account refuses sign-ins at now.
func (u *User) Locked(now time.Time) bool {
	return u.LockedUntil != nil && now.Before(*u.LockedUntil)
}

// SignInFailed counts a wrong password or code, locking the account at the
// limit.
func (u *User) SignInFailed(now time.Time) {
	u.FailedSignins++
	if u.FailedSignins >= MaxFailedSignins {
		until := now.Add(LockFor)
		u.LockedUntil = &until
		u.FailedSignins = 0
	}
	u.UpdatedAt = now
}

// SignedIn clears the count of failures.
func (u *User) SignedIn(now time.Time) {
	u.FailedSignins, u.LockedUntil, u.UpdatedAt = 0, nil, now
}

// NormalEmail is the form an e-mail address is kept and looked up in.
func NormalEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Password limits: long enough to resist guessing, short enough that
// hashing one is not a way to burn the server's memory.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 256
)

// ValidatePassword checks a new password.
func ValidatePassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLen:
		return pinglinks.Invalid("password", "must be at least %d characters", MinPasswordLen)
	case len(pw) > MaxPasswordLen:
		return pinglinks.Invalid("password", "must be at most %d bytes", MaxPasswordLen)
	}
	return nil
}

// NewUser makes a user of the tenant with a fresh password.
func NewUser(tenantID uuid.UUID, email, name, password string, role Role, now time.Time) (*User, error) {
	var errs pinglinks.Errors
	email = NormalEmail(email)
	if !pinglinks.ValidEmail(email) {
		errs.Add("email", "must be an e-mail address")
	}
	if utf8.RuneCountInString(name) > pinglinks.MaxNameLen {
		errs.Add("name", "must be at most %d characters", pinglinks.MaxNameLen)
	}
	if err := ValidatePassword(password); err != nil {
		errs.Add("password", "%s", err.(*pinglinks.Error).Message)
	}
	if _, err := ParseRole(string(role)); err != nil {
		errs.Add("role", "must be one of owner, developer, support, viewer")
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	return &User{ID: pinglinks.NewID(), TenantID: tenantID, Email: email, Name: strings.TrimSpace(name),
		PasswordHash: hash, Role: role, CreatedAt: now, UpdatedAt: now}, nil
}

// NewToken is a secret for a URL or a cookie (256 random bits) with the
// hash under which it is kept.
func NewToken() (token string, hash []byte) {
	b := make([]byte, 32)
	rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken is the stored form of a token. Tokens are random, so a plain
// SHA-256 suffices.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// Invite lets whoever holds its token join the tenant with its role. The
// owner's first sign-in link is an invite without an e-mail address.
type Invite struct {
	ID        uuid.UUID
	TenantID  uuid.UUID
	TokenHash []byte
	Email     string // empty: the invitee names their address
	Role      Role
	CreatedBy *uuid.UUID
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// How long links sent to people last.
const (
	InviteTTL = 7 * 24 * time.Hour
	ResetTTL  = time.Hour
)

// NewInvite makes an invitation; the token goes into the link.
func NewInvite(tenantID uuid.UUID, email string, role Role, by *uuid.UUID, now time.Time) (*Invite, string, error) {
	email = NormalEmail(email)
	if email != "" && !pinglinks.ValidEmail(email) {
		return nil, "", pinglinks.Invalid("email", "must be an e-mail address")
	}
	if _, err := ParseRole(string(role)); err != nil {
		return nil, "", err
	}
	token, hash := NewToken()
	return &Invite{ID: pinglinks.NewID(), TenantID: tenantID, TokenHash: hash, Email: email, Role: role,
		CreatedBy: by, CreatedAt: now, ExpiresAt: now.Add(InviteTTL)}, token, nil
}

// Usable reports whether the invite can still be accepted.
func (i *Invite) Usable(now time.Time) bool { return i.UsedAt == nil && now.Before(i.ExpiresAt) }

// Reset is a password reset asked for by e-mail.
type Reset struct {
	ID        uuid.UUID
	TenantID  uuid.UUID
	UserID    uuid.UUID
	TokenHash []byte
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// NewReset makes a password reset for u.
func NewReset(u *User, now time.Time) (*Reset, string) {
	token, hash := NewToken()
	return &Reset{ID: pinglinks.NewID(), TenantID: u.TenantID, UserID: u.ID, TokenHash: hash, CreatedAt: now,
		ExpiresAt: now.Add(ResetTTL)}, token
}

// Usable reports whether the reset can still be used.
func (r *Reset) Usable(now time.Time) bool { return r.UsedAt == nil && now.Before(r.ExpiresAt) }

// Session is a signed-in browser. Verified is when the second factor was
// given (or the password was, for a user without one): until then the
// session only reaches the code page.
type Session struct {
	ID         uuid.UUID
	TenantID   uuid.UUID
	UserID     uuid.UUID
	TokenHash  []byte
	CSRFToken  string
	VerifiedAt *time.Time
	CreatedAt  time.Time
	SeenAt     time.Time
	ExpiresAt  time.Time
}

// Session lifetimes: idle sessions end after SessionIdle, every session
// after SessionMax; a session between password and code lasts PendingTTL.
const (
	SessionIdle = 12 * time.Hour
	SessionMax  = 7 * 24 * time.Hour
	PendingTTL  = 10 * time.Minute
)

// NewSession starts a session for u; verified says the sign-in is complete.
func NewSession(u *User, verified bool, now time.Time) (*Session, string) {
	token, hash := NewToken()
	csrf, _ := NewToken()
	s := &Session{ID: pinglinks.NewID(), TenantID: u.TenantID, UserID: u.ID, TokenHash: hash, CSRFToken: csrf,
		CreatedAt: now, SeenAt: now, ExpiresAt: now.Add(PendingTTL)}
	if verified {
		s.Verify(now)
	}
	return s, token
}

// Verify completes the sign-in.
func (s *Session) Verify(now time.Time) {
	s.VerifiedAt = &now
	s.ExpiresAt = now.Add(SessionMax)
}

// Live reports whether the session still counts at now.
func (s *Session) Live(now time.Time) bool {
	if !now.Before(s.ExpiresAt) {
		return false
	}
	return s.VerifiedAt == nil || now.Sub(s.SeenAt) < SessionIdle
}

// String names a user for logs without their address.
func (u *User) String() string { return fmt.Sprintf("user %s (%s)", u.ID, u.Role) }
