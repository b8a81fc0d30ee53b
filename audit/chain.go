package audit

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// The hash of a record is SHA-256 over its line as written, without the
// trailing `,"hash":"…"` member and without the newline: the bytes are the
// canonical form, so verification never depends on re-encoding (a newer
// version adding fields, or float formatting, cannot break old chains).
const hashMember = `,"hash":"`

// encodeRecord returns the line to write (with newline) and its hash. e.Hash
// is ignored; every other field, including Seq and PrevHash, is covered.
func encodeRecord(e *Event) (line []byte, hash string, err error) {
	c := *e
	c.Hash = ""
	b, err := c.MarshalJSON()
	if err != nil {
		return nil, "", fmt.Errorf("encode event: %w", err)
	}
	sum := sha256.Sum256(b)
	hash = hex.EncodeToString(sum[:])
	line = make([]byte, 0, len(b)+len(hashMember)+len(hash)+3)
	line = append(line, b[:len(b)-1]...)
	line = append(line, hashMember...)
	line = append(line, hash...)
	line = append(line, "\"}\n"...)
	return line, hash, nil
}

// chainRecord is what verification needs from one line.
type chainRecord struct {
	Seq      uint64
	PrevHash string
	Hash     string // as written
	Computed string // recomputed over the canonical bytes
	ID       string
	Action   string
	Time     time.Time
	Rotated  string
}

type chainFields struct {
	Timestamp string `json:"@timestamp"`
	Event     struct {
		ID     string `json:"id"`
		Action string `json:"action"`
	} `json:"event"`
	DLP struct {
		RotatedTo string `json:"rotated_to"`
	} `json:"dlp"`
	Seq      *uint64 `json:"seq"`
	PrevHash string  `json:"prev_hash"`
	Hash     string  `json:"hash"`
}

// parseRecord reads the chain fields of one line (without its newline) and
// recomputes its hash. It fails when the line is not a record at all.
func parseRecord(line []byte) (chainRecord, error) {
	var r chainRecord
	n := len(line)
	if n < len(hashMember)+64+2+2 || !bytes.HasSuffix(line, []byte(`"}`)) {
		return r, fmt.Errorf("not a record: does not end with the hash member")
	}
	hexStart := n - 2 - 64
	memberStart := hexStart - len(hashMember)
	if string(line[memberStart:hexStart]) != hashMember {
		return r, fmt.Errorf("not a record: hash is not the last member")
	}
	written := string(line[hexStart : n-2])
	if _, err := hex.DecodeString(written); err != nil {
		return r, fmt.Errorf("not a record: hash is not hex")
	}
	var f chainFields
	if err := json.Unmarshal(line, &f); err != nil {
		return r, fmt.Errorf("not a record: %w", err)
	}
	if f.Seq == nil || f.Hash != written || len(f.PrevHash) != 64 {
		return r, fmt.Errorf("not a record: missing seq, hash or prev_hash")
	}
	canon := make([]byte, 0, memberStart+1)
	canon = append(canon, line[:memberStart]...)
	canon = append(canon, '}')
	sum := sha256.Sum256(canon)
	r = chainRecord{
		Seq:      *f.Seq,
		PrevHash: f.PrevHash,
		Hash:     written,
		Computed: hex.EncodeToString(sum[:]),
		ID:       f.Event.ID,
		Action:   f.Event.Action,
		Rotated:  f.DLP.RotatedTo,
	}
	r.Time, _ = time.Parse(time.RFC3339Nano, f.Timestamp)
	return r, nil
}

// NewID returns a time-sortable random event ID: 48 bits of Unix
// milliseconds then 80 random bits, as 32 hex digits. IDs sort by time
// and are unguessable, so a block page can show one without leaking others.
func NewID(t time.Time) string {
	var b [16]byte
	var ms [8]byte
	binary.BigEndian.PutUint64(ms[:], uint64(t.UnixMilli()))
	copy(b[:6], ms[2:])
	if _, err := rand.Read(b[6:]); err != nil {
		// crypto/rand does not fail on supported platforms (Go 1.24+ panics
		// internally instead); keep the ID unique anyway.
		binary.BigEndian.PutUint64(b[8:], uint64(t.UnixNano()))
	}
	return hex.EncodeToString(b[:])
}
