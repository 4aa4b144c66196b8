// Package wait waits for a while unless a context ends first: the pauses
// between retries and rounds of the pipeline's stages.
package wait

import (
	"context"
	"time"
)

// Sleep waits d, or until ctx ends, and reports whether it waited the full
// d (false: ctx ended). A d of zero or less returns at once.
func Sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
