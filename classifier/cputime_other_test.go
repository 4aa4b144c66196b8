//go:build !unix

package classifier

import "time"

func cpuTime() (time.Duration, bool) { return 0, false }
