package classifier

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Current returns r itself: a fixed rule set is a RulesSource that never
// changes.
func (r *Rules) Current() *Rules { return r }

// DefaultReloadInterval is how often a Reloader looks at its directory
// when NewReloader is given 0.
const DefaultReloadInterval = 3 * time.Second

// Reloader keeps the rules of a directory current without a restart: it
// polls the directory and, when the content of its *.yaml files changes
// and the new files compile, swaps the new rules in atomically. Rules that
// do not compile are logged with every problem and the old rules stay in
// use. Every scored ad records the version that scored it.
//
// Current and Reload are safe for concurrent use; Run is called once.
type Reloader struct {
	dir      string
	interval time.Duration
	logger   *slog.Logger

	cur atomic.Pointer[Rules]
	mu  sync.Mutex // serialises Reload
	// tried is the hash of the files last compiled, good or bad, so a bad
	// edit is reported once, not at every poll.
	tried [sha256.Size]byte

	reloads, failures atomic.Int64
}

// NewReloader loads the rules in dir, failing if they do not compile, and
// returns a Reloader that Run keeps current, looking every interval
// (DefaultReloadInterval if 0).
func NewReloader(dir string, interval time.Duration, logger *slog.Logger) (*Reloader, error) {
	if interval <= 0 {
		interval = DefaultReloadInterval
	}
	rl := &Reloader{dir: dir, interval: interval, logger: logger}
	files, sum, err := readRuleFiles(dir)
	if err != nil {
		return nil, err
	}
	r, err := compile(files)
	if err != nil {
		return nil, err
	}
	rl.cur.Store(r)
	rl.tried = sum
	return rl, nil
}

// Current returns the rules in use now.
func (rl *Reloader) Current() *Rules { return rl.cur.Load() }

// Reloads is how many times new rules were swapped in; Failures how many
// changed rule sets were rejected.
func (rl *Reloader) Reloads() int64  { return rl.reloads.Load() }
func (rl *Reloader) Failures() int64 { return rl.failures.Load() }

// Run polls the directory until ctx ends, then returns nil. Problems
// reading or compiling the files are logged, never returned: the old rules
// keep working.
func (rl *Reloader) Run(ctx context.Context) error {
	t := time.NewTicker(rl.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if _, err := rl.Reload(); err != nil {
				rl.logger.Error("rule files changed but were not loaded; the old rules stay in use",
					"dir", rl.dir, "version", rl.Current().Version(), "err", err)
			}
		}
	}
}

// Reload looks at the directory now and swaps in its rules if the files
// changed and compile. It reports whether the rules changed, and the
// compile or read error of a changed rule set (once per content).
func (rl *Reloader) Reload() (bool, error) {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	files, sum, err := readRuleFiles(rl.dir)
	if err != nil {
		if sum == rl.tried {
			return false, nil
		}
		rl.tried = sum
		rl.failures.Add(1)
		return false, err
	}
	if sum == rl.tried {
		return false, nil
	}
	rl.tried = sum
	r, err := compile(files)
	if err != nil {
		rl.failures.Add(1)
		return false, err
	}
	old := rl.cur.Swap(r)
	rl.reloads.Add(1)
	rl.logger.Info("rules reloaded", "dir", rl.dir, "from", old.Version(), "to", r.Version(), "files", len(files))
	return true, nil
}

// readRuleFiles reads every *.yaml file of dir, sorted by name, and hashes
// names and contents together (a rename or a removed file is a change).
// On error the hash is of the error, so the same failure is reported once.
func readRuleFiles(dir string) ([]ruleFile, [sha256.Size]byte, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err == nil && len(paths) == 0 {
		err = fmt.Errorf("no *.yaml files in %q", dir)
	}
	if err != nil {
		return nil, sha256.Sum256([]byte(err.Error())), fmt.Errorf("load rules: %w", err)
	}
	sort.Strings(paths)
	h := sha256.New()
	var files []ruleFile
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, sha256.Sum256([]byte(err.Error())), fmt.Errorf("load rules: %w", err)
		}
		files = append(files, ruleFile{name: p, data: data})
		h.Write([]byte(filepath.Base(p)))
		h.Write([]byte{0})
		h.Write(data)
		h.Write([]byte{0})
	}
	var sum [sha256.Size]byte
	copy(sum[:], h.Sum(nil))
	return files, sum, nil
}
