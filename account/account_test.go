package account

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestRoleAllows(t *testing.T) {
	t.Parallel()
	tests := []struct {
		role, need Role
		want       bool
	}{
		{Owner, Developer, true}, {Owner, Support, true}, {Owner, Owner, true},
		{Developer, Developer, true}, {Developer, Viewer, true}, {Developer, Support, false}, {Developer, Owner, false},
		{Support, Support, true}, {Support, Developer, false},
		{Viewer, Viewer, true}, {Viewer, Support, false}, {Viewer, Owner, false},
	}
	for _, tt := range tests {
		if got := tt.role.Allows(tt.need); got != tt.want {
			t.Errorf("%s.Allows(%s) = %v, want %v", tt.role, tt.need, got, tt.want)
		}
	}
	if _, err := ParseRole("admin"); err == nil {
		t.Error("ParseRole(admin) accepted")
	}
}

func TestPassword(t *testing.T) {
	t.Parallel()
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=1$") {
		t.Fatalf("hash %q", h)
	}
	tests := []struct {
		pw   string
		want bool
	}{
		{"correct horse battery", true},
		{"correct horse batterY", false},
		{"", false},
		{strings.Repeat("x", MaxPasswordLen+1), false},
	}
	for _, tt := range tests {
		if got, err := CheckPassword(h, tt.pw); err != nil || got != tt.want {
			t.Errorf("CheckPassword(%.20q) = %v, %v", tt.pw, got, err)
		}
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=x$AA$AA", "plain"} {
		if _, err := CheckPassword(bad, "pw"); err == nil {
			t.Errorf("CheckPassword accepted hash %q", bad)
		}
	}
	if err := ValidatePassword("short"); err == nil {
		t.Error("a 5-character password was accepted")
	}
}

func TestTOTPOnceAndWithinOneStep(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 2, 10, 0, 10, 0, time.UTC)
	u, err := NewUser(uuid.New(), "a@example.com", "A", "a long password!", Viewer, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.StartTOTP("Test", now); err != nil {
		t.Fatal(err)
	}
	if err := u.EnableTOTP("000000", now); err == nil && TOTPCode(u.TOTPSecret, now) != "000000" {
		t.Fatal("a wrong code enabled TOTP")
	}
	tests := []struct {
		name string
		at   time.Time
		want bool
	}{
		{"the step before", now.Add(-30 * time.Second), true},
		{"the same code again", now.Add(-30 * time.Second), false},
		{"now", now, true},
		{"now again", now, false},
		{"two steps ahead", now.Add(90 * time.Second), false},
	}
	for _, tt := range tests {
		if got := u.CheckTOTP(TOTPCode(u.TOTPSecret, tt.at), now); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestLockOut(t *testing.T) {
	t.Parallel()
	now := time.Now()
	u := &User{}
	for i := 1; i < MaxFailedSignins; i++ {
		u.SignInFailed(now)
		if u.Locked(now) {
			t.Fatalf("locked after %d failures", i)
		}
	}
	u.SignInFailed(now)
	if !u.Locked(now) || !u.Locked(now.Add(LockFor-time.Second)) || u.Locked(now.Add(LockFor)) {
		t.Fatalf("lock: until %v", u.LockedUntil)
	}
	u.SignedIn(now.Add(LockFor))
	if u.FailedSignins != 0 || u.LockedUntil != nil {
		t.Fatalf("after signing in: %+v", u)
	}
}

func TestSessionLifetime(t *testing.T) {
	t.Parallel()
	now := time.Now()
	u := &User{ID: uuid.New(), TenantID: uuid.New()}
	pending, _ := NewSession(u, false, now)
	if !pending.Live(now.Add(PendingTTL-time.Second)) || pending.Live(now.Add(PendingTTL)) {
		t.Error("a half-done sign-in lives for PendingTTL")
	}
	s, token := NewSession(u, true, now)
	if string(HashToken(token)) != string(s.TokenHash) || len(token) != 43 {
		t.Fatalf("token %q", token)
	}
	if !s.Live(now.Add(SessionIdle-time.Second)) || s.Live(now.Add(SessionIdle)) {
		t.Error("an idle session ends after SessionIdle")
	}
	s.SeenAt = now.Add(SessionMax - time.Hour)
	if s.Live(now.Add(SessionMax)) {
		t.Error("a session ends after SessionMax however active")
	}
}
