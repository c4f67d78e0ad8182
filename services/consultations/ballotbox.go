package consultations

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/store"
)

// BallotBox keeps the sealed choices of secret consultations outside the log, from the
// ballot to the close. It stores opaque bytes under opaque references: sealing, and the
// references (an HMAC of the organisation and the command ID under the consultation's
// key), are this package's, so that the box knows neither who voted nor what.
// Implementations are safe for concurrent use by many service instances.
type BallotBox interface {
	// Key returns the consultation's box key: a random secret created on first use, the
	// same for every instance afterwards.
	Key(ctx context.Context, consultation uuid.UUID) ([]byte, error)
	// Put stores a sealed ballot under ref, replacing any earlier one (a retried
	// command seals its ballot again under the same reference).
	Put(ctx context.Context, consultation uuid.UUID, ref string, sealed []byte) error
	// List returns the consultation's sealed ballots by reference.
	List(ctx context.Context, consultation uuid.UUID) (map[string][]byte, error)
	// Destroy removes the consultation's key, then its sealed ballots. Destroying what
	// is not there is not an error.
	Destroy(ctx context.Context, consultation uuid.UUID) error
	// Consultations lists the consultations with a key or sealed ballots in the box.
	Consultations(ctx context.Context) ([]uuid.UUID, error)
}

// boxKeySize is the size of a consultation's box key.
const boxKeySize = 32

// newBoxKey returns a fresh random box key.
func newBoxKey() []byte {
	k := make([]byte, boxKeySize)
	_, _ = rand.Read(k) // crypto/rand.Read never fails (Go ≥ 1.24)
	return k
}

// subKey derives the key of one use from a consultation's box key, so that the
// references and the sealing never share a key.
func subKey(boxKey []byte, use string) []byte {
	m := hmac.New(sha256.New, boxKey)
	m.Write([]byte("comite/consultations/ballot-box/" + use))
	return m.Sum(nil)
}

// ballotRef is the reference of the ballot an organisation's command puts in the box:
// without the box key, nothing links it to the organisation or the command.
func ballotRef(boxKey []byte, consultation, org uuid.UUID, commandID string) string {
	m := hmac.New(sha256.New, subKey(boxKey, "ref"))
	m.Write(consultation[:])
	m.Write(org[:])
	m.Write([]byte(commandID))
	return hex.EncodeToString(m.Sum(nil))
}

// boxedBallot is what a sealed ballot holds.
type boxedBallot struct {
	Choices []string `json:"choices"`
	Weight  int      `json:"weight"`
}

// boxCipher is the AES-256-GCM of a consultation's box key.
func boxCipher(boxKey []byte) (cipher.AEAD, error) {
	if len(boxKey) != boxKeySize {
		return nil, errors.New("consultations: ballot box key has the wrong size")
	}
	block, err := aes.NewCipher(subKey(boxKey, "seal"))
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// sealBallot encrypts a ballot under the consultation's box key, bound to its reference
// (a sealed ballot moved under another reference does not open).
func sealBallot(boxKey []byte, consultation uuid.UUID, ref string, b boxedBallot) ([]byte, error) {
	aead, err := boxCipher(boxKey)
	if err != nil {
		return nil, err
	}
	plain, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce)
	return aead.Seal(nonce, nonce, plain, append(consultation[:], ref...)), nil
}

// openBallot decrypts a ballot sealed by sealBallot.
func openBallot(boxKey []byte, consultation uuid.UUID, ref string, sealed []byte) (boxedBallot, error) {
	aead, err := boxCipher(boxKey)
	if err != nil {
		return boxedBallot{}, err
	}
	if len(sealed) < aead.NonceSize() {
		return boxedBallot{}, errors.New("consultations: sealed ballot too short")
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], append(consultation[:], ref...))
	if err != nil {
		return boxedBallot{}, fmt.Errorf("consultations: sealed ballot does not open: %w", err)
	}
	var b boxedBallot
	if err := json.Unmarshal(plain, &b); err != nil {
		return boxedBallot{}, fmt.Errorf("consultations: sealed ballot unreadable: %w", err)
	}
	return b, nil
}

// MemoryBallotBox is a BallotBox in memory, for tests and single-process tools: it does
// not survive the process, nor is it shared between instances.
type MemoryBallotBox struct {
	mu      sync.Mutex
	keys    map[uuid.UUID][]byte
	ballots map[uuid.UUID]map[string][]byte
}

// NewMemoryBallotBox returns an empty in-memory ballot box.
func NewMemoryBallotBox() *MemoryBallotBox {
	return &MemoryBallotBox{keys: map[uuid.UUID][]byte{}, ballots: map[uuid.UUID]map[string][]byte{}}
}

// Key implements BallotBox.
func (m *MemoryBallotBox) Key(_ context.Context, consultation uuid.UUID) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k, ok := m.keys[consultation]
	if !ok {
		k = newBoxKey()
		m.keys[consultation] = k
	}
	return slices.Clone(k), nil
}

// Put implements BallotBox.
func (m *MemoryBallotBox) Put(_ context.Context, consultation uuid.UUID, ref string, sealed []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ballots[consultation] == nil {
		m.ballots[consultation] = map[string][]byte{}
	}
	m.ballots[consultation][ref] = slices.Clone(sealed)
	return nil
}

// List implements BallotBox.
func (m *MemoryBallotBox) List(_ context.Context, consultation uuid.UUID) (map[string][]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string][]byte, len(m.ballots[consultation]))
	for ref, s := range m.ballots[consultation] {
		out[ref] = slices.Clone(s)
	}
	return out, nil
}

// Destroy implements BallotBox.
func (m *MemoryBallotBox) Destroy(_ context.Context, consultation uuid.UUID) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.keys, consultation)
	delete(m.ballots, consultation)
	return nil
}

// Consultations implements BallotBox.
func (m *MemoryBallotBox) Consultations(context.Context) ([]uuid.UUID, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []uuid.UUID
	for id := range m.keys {
		out = append(out, id)
	}
	for id := range m.ballots {
		if _, ok := m.keys[id]; !ok {
			out = append(out, id)
		}
	}
	slices.SortFunc(out, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
	return out, nil
}

// SweepBallotBox destroys what the box still holds of closed consultations: the close
// destroys it right after its event is appended, but a process that died in between
// leaves it there. Run it at start-up (it is idempotent and cheap when the box is
// clean); it returns how many consultations it cleaned.
func SweepBallotBox(ctx context.Context, st store.Store, reg *events.Registry, box BallotBox) (int, error) {
	ids, err := box.Consultations(ctx)
	if err != nil {
		return 0, fmt.Errorf("consultations: listing the ballot box: %w", err)
	}
	n := 0
	for _, id := range ids {
		c, ok, err := LoadConsultation(ctx, st, reg, id)
		if err != nil {
			return n, err
		}
		if !ok || !c.Closed {
			continue
		}
		if err := box.Destroy(ctx, id); err != nil {
			return n, fmt.Errorf("consultations: emptying the ballot box of %s: %w", id, err)
		}
		n++
	}
	return n, nil
}

// destroyTimeout bounds the destruction of a box after a close, which must not depend
// on the request's remaining time.
const destroyTimeout = 10 * time.Second

// boxJanitor is the event store as the consultations service sees it: once a secret
// consultation's closing event is appended, it destroys the consultation's key and
// sealed ballots. (The bus has no hook after an append; a failure here leaves them for
// the next command on the consultation or SweepBallotBox, and the command succeeds.)
type boxJanitor struct {
	store.Store
	box BallotBox
	log *slog.Logger
}

// Append implements store.Store.
func (j boxJanitor) Append(ctx context.Context, stream string, expected store.Revision, evs ...events.Event) (store.AppendResult, error) {
	res, err := j.Store.Append(ctx, stream, expected, evs...)
	if err != nil {
		return res, err
	}
	for _, ev := range evs {
		if ev.Type != TypeConsultationClosed {
			continue
		}
		var closed struct {
			ConsultationID uuid.UUID `json:"consultation_id"`
			Secret         bool      `json:"secret"`
		}
		if json.Unmarshal(ev.Data, &closed) != nil || !closed.Secret {
			continue
		}
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), destroyTimeout)
		if err := j.box.Destroy(dctx, closed.ConsultationID); err != nil {
			j.log.Warn("consultations: ballot box not emptied after the close; the next command or sweep will",
				"consultation_id", closed.ConsultationID, "err", err)
		}
		cancel()
	}
	return res, nil
}
