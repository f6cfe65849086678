package account

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters: RFC 9106's second recommended option (64 MiB,
// 3 passes) with one lane, since the machines are small and shared.
const (
	argonTime    = 3
	argonMemory  = 64 * 1024 // KiB
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword hashes pw with argon2id and a random salt, as a PHC string
// ($argon2id$v=19$m=…,t=…,p=…$salt$hash) so the parameters can change
// later without losing old hashes.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("account: salt: %w", err)
	}
	key := idKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

var errBadHash = errors.New("account: not an argon2id hash")

// CheckPassword reports whether pw matches the PHC string hash.
func CheckPassword(hash, pw string) (bool, error) {
	if len(pw) > MaxPasswordLen {
		return false, nil
	}
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	var mem, iter uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iter, &threads); err != nil {
		return false, errBadHash
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false, errBadHash
	}
	got := idKey([]byte(pw), salt, iter, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// hashing bounds how many argon2id hashes run at once. Each takes 64 MiB
// for its moment, so a burst of sign-ins waits here instead of growing the
// process by 64 MiB a request.
var hashing = make(chan struct{}, 2)

func idKey(pw, salt []byte, iter, mem uint32, threads uint8, keyLen uint32) []byte {
	hashing <- struct{}{}
	defer func() { <-hashing }()
	return argon2.IDKey(pw, salt, iter, mem, threads, keyLen)
}

// dummyHash is checked when no user has the e-mail address given, so that
// a wrong address takes as long as a wrong password. It is made on first
// use: a process that never signs anyone in never spends the 64 MiB.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("no user has this password")
	return h
})

// CheckNoUser spends the time a password check takes.
func CheckNoUser(pw string) { CheckPassword(dummyHash(), pw) }
