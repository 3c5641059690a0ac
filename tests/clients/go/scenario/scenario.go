// Package scenario holds what the Go client checks (franz/ and sarama/)
// share: the shape of the scenario, the records they write and read back,
// and how a check reports success or failure to the shell test.
package scenario

import (
	"fmt"
	"os"
	"time"
)

const (
	Partitions = 3   // partitions of the scenario's topic
	Records    = 300 // records produced before the group reads them
	Later      = 20  // records produced after the group committed
	// Generous: the test machine is shared and loaded.
	Deadline = 90 * time.Second
)

// Key and Value of record i: distinct, so a lost, duplicated or garbled
// record is seen.
func Key(i int) string   { return fmt.Sprintf("key-%d", i) }
func Value(i int) string { return fmt.Sprintf("value-%d-%0100d", i, i) }

// Seen records which of the produced records a consumer read, failing on
// one it does not know or reads twice.
type Seen map[string]bool

func (s Seen) Add(key, value string) {
	var i int
	if _, err := fmt.Sscanf(key, "key-%d", &i); err != nil || Key(i) != key {
		Fail("consumed an unknown key %q", key)
	}
	if value != Value(i) {
		Fail("record %s has value %q, want %q", key, value, Value(i))
	}
	if s[key] {
		Fail("record %s consumed twice", key)
	}
	s[key] = true
}

// Ok says a step passed (the shell test counts these lines).
func Ok(format string, args ...any) {
	fmt.Printf("ok "+format+"\n", args...)
}

// Fail says why the scenario failed and exits 1.
func Fail(format string, args ...any) {
	fmt.Printf("FAIL "+format+"\n", args...)
	os.Exit(1)
}

// Check fails with the error when it is not nil.
func Check(err error, what string) {
	if err != nil {
		Fail("%s: %v", what, err)
	}
}
