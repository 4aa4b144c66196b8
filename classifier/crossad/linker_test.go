package crossad

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/bus"
	"github.com/adwatch/adwatch/bus/bustest"
)

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func newStore(t testing.TB, b *bus.Bus, bucket string) *bus.KV {
	t.Helper()
	kv, err := b.KeyValueTTL(ctxT(t), bucket, Options{}.BucketTTL(), 1)
	if err != nil {
		t.Fatal(err)
	}
	return kv
}

func newLinker(t testing.TB, kv Store) *Linker {
	t.Helper()
	l, err := NewLinker(kv, testKey(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// published plays the classifier stage and the bus: what the index would
// show for each ad — the indicators Link returns for it, replaced by its
// current ones whenever a later ad's Link lists it as affected — with the
// bus dropping a message whose id it has seen (the duplicate window).
type published struct {
	mu   sync.Mutex
	inds map[string][]ad.Indicator
	ids  map[string]bool
}

func newPublished() *published {
	return &published{inds: map[string][]ad.Indicator{}, ids: map[string]bool{}}
}

func (p *published) publish(r ad.Raw, l Linked) {
	p.mu.Lock()
	defer p.mu.Unlock()
	id := r.ID + "." + r.Version() + l.MsgIDSuffix()
	if p.ids[id] {
		return
	}
	p.ids[id] = true
	p.inds[r.ID] = l.Indicators
}

func (p *published) link(ctx context.Context, l *Linker, r ad.Raw) error {
	linked, affected, err := l.Link(ctx, r)
	if err != nil {
		return err
	}
	p.publish(r, linked)
	for _, id := range affected {
		raw, al, err := l.Current(ctx, id)
		if err != nil {
			return err
		}
		if raw.ID != id {
			return errors.New("Current returned another ad")
		}
		p.publish(raw, al)
		if err := l.Done(ctx, id, al.Seq); err != nil {
			return err
		}
	}
	return l.Done(ctx, r.ID, linked.Seq)
}

// sameAsBatch checks that what l stores for each ad of dev, and what pub
// published last for it, are Batch's answers (want).
func sameAsBatch(t *testing.T, l *Linker, dev []devAd, want map[string][]ad.Indicator, pub *published) {
	t.Helper()
	stored := map[string][]ad.Indicator{}
	for _, d := range dev {
		linked, err := l.Indicators(ctxT(t), d.ID)
		if err != nil {
			t.Fatal(err)
		}
		stored[d.ID] = linked.Indicators
	}
	sameAnswers(t, "stored", dev, want, stored)
	sameAnswers(t, "published", dev, want, pub.inds)
}

// sameAnswers compares per ad the indicators of got with want (Batch's),
// ignoring ids in skip.
func sameAnswers(t *testing.T, what string, dev []devAd, want, got map[string][]ad.Indicator, skip ...string) {
	t.Helper()
	bad := 0
	for _, d := range dev {
		w, g := filterOut(want[d.ID], skip), filterOut(got[d.ID], skip)
		if !sameIndicators(w, g) {
			bad++
			if bad <= 5 {
				wj, _ := json.Marshal(w)
				gj, _ := json.Marshal(g)
				t.Errorf("%s: %s:\n batch       %s\n incremental %s", what, d.ID, wj, gj)
			}
		}
	}
	if bad > 5 {
		t.Errorf("%s: %d ads differ in all", what, bad)
	}
}

func filterOut(inds []ad.Indicator, skip []string) []ad.Indicator {
	var out []ad.Indicator
	for _, i := range inds {
		if !slices.Contains(skip, i.ID) {
			out = append(out, i)
		}
	}
	return out
}

// TestLinkerMatchesBatch: the dev set fed in posting order, one ad at a
// time through a real JetStream, gives every ad the cross-ad indicators
// Batch gives it — both as stored and as the stage would have published
// them, re-scores included.
func TestLinkerMatchesBatch(t *testing.T) {
	dev := loadDevSet(t)
	want, err := Batch(testKey(t), devRaws(dev), Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	l := newLinker(t, newStore(t, bustest.Start(t), "crossad"))
	pub := newPublished()
	for _, d := range dev {
		if err := pub.link(ctx, l, d.Raw); err != nil {
			t.Fatalf("%s: %v", d.ID, err)
		}
	}
	sameAsBatch(t, l, dev, want, pub)

	// The first ad of grp-a1 had nothing when it came; the index shows the
	// pattern on it because the later ads re-scored it.
	if !slices.ContainsFunc(pub.inds["dev-0028"], func(i ad.Indicator) bool { return i.ID == ManyPersonasPerContact }) {
		t.Error("dev-0028 was not re-scored when grp-a1 completed")
	}
}

// TestLinkersShareState: two classifier processes (two connections, two
// Linkers) on one JetStream, fed interleaved halves of the dev set, in
// lockstep or each at its own pace, end with the same answers as Batch.
func TestLinkersShareState(t *testing.T) {
	dev := loadDevSet(t)
	want, err := Batch(testKey(t), devRaws(dev), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, concurrent := range []bool{false, true} {
		name := "lockstep"
		if concurrent {
			name = "concurrent"
		}
		t.Run(name, func(t *testing.T) {
			ctx := ctxT(t)
			e, err := bus.StartEmbedded(bus.EmbeddedOptions{Dir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(e.Shutdown)
			var ls [2]*Linker
			for i := range ls {
				b, err := e.Connect(slog.New(slog.DiscardHandler))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(b.Close)
				ls[i] = newLinker(t, newStore(t, b, "crossad"))
			}
			pub := newPublished()
			if !concurrent {
				for i, d := range dev {
					if err := pub.link(ctx, ls[i%2], d.Raw); err != nil {
						t.Fatalf("%s: %v", d.ID, err)
					}
				}
			} else {
				var wg sync.WaitGroup
				errs := make(chan error, 2)
				for half := range 2 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for i := half; i < len(dev); i += 2 {
							if err := pub.link(ctx, ls[half], dev[i].Raw); err != nil {
								errs <- err
								return
							}
						}
					}()
				}
				wg.Wait()
				close(errs)
				for err := range errs {
					t.Fatal(err)
				}
			}
			sameAsBatch(t, ls[0], dev, want, pub)
		})
	}
}

// TestLinkerOrderDoesNotMatter: a crawl delivers the newest ads first;
// fed the dev set newest first, or shuffled, the Linker ends with Batch's
// answers, because every ad an earlier-posted one joins the pattern or
// market of is judged again.
func TestLinkerOrderDoesNotMatter(t *testing.T) {
	dev := loadDevSet(t)
	want, err := Batch(testKey(t), devRaws(dev), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, order := range []string{"newest first", "shuffled"} {
		t.Run(order, func(t *testing.T) {
			ctx := ctxT(t)
			l := newLinker(t, newStore(t, bustest.Start(t), "crossad"))
			feed := slices.Clone(dev)
			if order == "newest first" {
				slices.Reverse(feed)
			} else {
				r := rand.New(rand.NewPCG(1, 2))
				r.Shuffle(len(feed), func(i, j int) { feed[i], feed[j] = feed[j], feed[i] })
			}
			pub := newPublished()
			for _, d := range feed {
				if err := pub.link(ctx, l, d.Raw); err != nil {
					t.Fatalf("%s: %v", d.ID, err)
				}
			}
			sameAsBatch(t, l, dev, want, pub)
		})
	}
}

// TestLinkerResumesAfterRestart: the server and the classifier stop
// half-way through the dev set; a new server on the same storage and a new
// Linker carry on as if nothing had happened.
func TestLinkerResumesAfterRestart(t *testing.T) {
	dev := loadDevSet(t)
	want, err := Batch(testKey(t), devRaws(dev), Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	dir := t.TempDir()
	pub := newPublished()
	run := func(from, to int) *Linker {
		e, err := bus.StartEmbedded(bus.EmbeddedOptions{Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		b, err := e.Connect(slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close(); e.Shutdown() })
		l := newLinker(t, newStore(t, b, "crossad"))
		for _, d := range dev[from:to] {
			if err := pub.link(ctx, l, d.Raw); err != nil {
				t.Fatalf("%s: %v", d.ID, err)
			}
		}
		if to < len(dev) {
			b.Close()
			e.Shutdown()
		}
		return l
	}
	run(0, len(dev)/2)
	l := run(len(dev)/2, len(dev))
	sameAsBatch(t, l, dev, want, pub)
}

// TestLinkRedelivery: linking an ad again changes nothing, and returns the
// ads its first Link affected until Done says they were republished.
func TestLinkRedelivery(t *testing.T) {
	ctx := ctxT(t)
	l := newLinker(t, newStore(t, bustest.Start(t), "crossad"))
	ads := agencyAds(3)
	pub := newPublished()
	for _, r := range ads[:2] {
		if err := pub.link(ctx, l, r); err != nil {
			t.Fatal(err)
		}
	}
	linked, affected, err := l.Link(ctx, ads[2])
	if err != nil {
		t.Fatal(err)
	}
	if !hasID(linked.Indicators, ManyPersonasPerContact) || len(affected) != 2 {
		t.Fatalf("third persona: %v, affected %v; want many_personas_per_contact and both earlier ads", ids(linked.Indicators), affected)
	}
	// A crash before Done: the redelivery returns the same ads to republish,
	// and the same change sequence, so its own republish is a duplicate.
	linked2, affected2, err := l.Link(ctx, ads[2])
	if err != nil {
		t.Fatal(err)
	}
	if !sameIndicators(linked.Indicators, linked2.Indicators) || linked.Seq != linked2.Seq || !slices.Equal(affected, affected2) {
		t.Fatalf("redelivery: %v %d %v, want %v %d %v", ids(linked2.Indicators), linked2.Seq, affected2, ids(linked.Indicators), linked.Seq, affected)
	}
	// Done for a change that is no longer the ad's leaves it marked.
	before, _ := l.Indicators(ctx, affected[0])
	if err := l.Done(ctx, affected[0], before.Seq-1); err != nil {
		t.Fatal(err)
	}
	if _, again, _ := l.Link(ctx, ads[2]); !slices.Equal(again, affected) {
		t.Fatalf("a stale Done cleared the mark: affected %v, want %v", again, affected)
	}
	for _, id := range affected {
		al, err := l.Indicators(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Done(ctx, id, al.Seq); err != nil {
			t.Fatal(err)
		}
	}
	if _, affected3, err := l.Link(ctx, ads[2]); err != nil || len(affected3) != 0 {
		t.Fatalf("after Done: affected %v, %v; want none", affected3, err)
	}
	// A new version with another number breaks the pattern: the two
	// earlier ads lose the indicator and are affected again, each under a
	// message id it never had.
	moved := ads[2]
	moved.Phones = []string{"+45 61 22 33 44"}
	moved.Text = "Ring +45 61 22 33 44"
	linked4, affected4, err := l.Link(ctx, moved)
	if err != nil {
		t.Fatal(err)
	}
	if hasID(linked4.Indicators, ManyPersonasPerContact) || len(affected4) != 2 {
		t.Fatalf("moved away: %v, affected %v; want no pattern and both earlier ads", ids(linked4.Indicators), affected4)
	}
	for _, r := range ads[:2] {
		got, _ := l.Indicators(ctx, r.ID)
		if hasID(got.Indicators, ManyPersonasPerContact) {
			t.Errorf("%s kept many_personas_per_contact after the pattern broke", r.ID)
		}
		if got.MsgIDSuffix() == "" || got.Seq < 2 {
			t.Errorf("%s: back to no pattern with change sequence %d: its republish would be dropped", r.ID, got.Seq)
		}
	}
	if _, err := l.Indicators(ctx, "never-seen"); !errors.Is(err, ErrUnknownAd) {
		t.Errorf("Indicators of an unknown ad: %v, want ErrUnknownAd", err)
	}
	if _, err := l.Raw(ctx, "never-seen"); !errors.Is(err, ErrUnknownAd) {
		t.Errorf("Raw of an unknown ad: %v, want ErrUnknownAd", err)
	}
}

// TestLinkerOddIDs: an id that is no valid key still round-trips.
func TestLinkerOddIDs(t *testing.T) {
	ctx := ctxT(t)
	l := newLinker(t, newStore(t, bustest.Start(t), "crossad"))
	r := ad.Raw{ID: "site/ad 1.ø*>", Site: "x", Text: "Hej", PostedAt: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)}
	if _, _, err := l.Link(ctx, r); err != nil {
		t.Fatal(err)
	}
	got, err := l.Raw(ctx, r.ID)
	if err != nil || got.ID != r.ID || got.Text != r.Text {
		t.Fatalf("Raw = %+v, %v", got, err)
	}
}

func hasID(inds []ad.Indicator, id string) bool {
	return slices.ContainsFunc(inds, func(i ad.Indicator) bool { return i.ID == id })
}

func ids(inds []ad.Indicator) []string {
	var out []string
	for _, i := range inds {
		out = append(out, i.ID)
	}
	return out
}

// TestLinkersContend: three processes link ads of one agency (one number,
// one template) at once, all racing for the same keys; no update is lost
// and every ad ends with Batch's answer.
func TestLinkersContend(t *testing.T) {
	names := []string{"Anna", "Bella", "Clara", "Dina", "Ella", "Fie", "Gry", "Hanne", "Ida", "Jane"}
	cities := []string{"Odense", "Aarhus", "Vejle", "Kolding", "Aalborg", "Esbjerg"}
	var specs []spec
	for i := range 30 {
		specs = append(specs, spec{name: names[i%len(names)], city: cities[i%len(cities)], phone: "28 64 19 73",
			age: 21 + i%7, at: day(float64(i) / 3), text: agencyText})
	}
	ads, _ := build(specs)
	want, err := Batch(testKey(t), ads, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	e, err := bus.StartEmbedded(bus.EmbeddedOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Shutdown)
	const procs = 3
	pub := newPublished()
	var wg sync.WaitGroup
	errs := make(chan error, procs)
	var ls []*Linker
	for p := range procs {
		b, err := e.Connect(slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(b.Close)
		l := newLinker(t, newStore(t, b, "crossad"))
		ls = append(ls, l)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := p; i < len(ads); i += procs {
				if err := pub.link(ctx, l, ads[i]); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var dev []devAd
	stored := map[string][]ad.Indicator{}
	for _, r := range ads {
		dev = append(dev, devAd{Raw: r})
		linked, err := ls[0].Indicators(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		stored[r.ID] = linked.Indicators
	}
	sameAnswers(t, "stored", dev, want, stored)
	// What the stage published last per ad can lag when two processes
	// republish one ad at once (the publish order is not the write order):
	// report it, the stored state is the contract.
	stale := 0
	for _, r := range ads {
		if !sameIndicators(want[r.ID], pub.inds[r.ID]) {
			stale++
		}
	}
	t.Logf("%d of %d ads last published with stale cross-ad indicators", stale, len(ads))
}

// TestLinkSupersededVersion: a version observed before the one the state
// holds (a redelivery that lost the race with the next version) is refused
// and changes nothing; a gone marker, which keeps the old fetch time but
// is observed later, is the newer version.
func TestLinkSupersededVersion(t *testing.T) {
	ctx := ctxT(t)
	l := newLinker(t, newStore(t, bustest.Start(t), "crossad"))
	t0 := time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)
	v1 := agencyAds(1)[0]
	v1.FetchedAt = t0
	v2 := v1
	v2.Text += " Nye billeder."
	v2.FetchedAt = t0.Add(time.Hour)
	if _, _, err := l.Link(ctx, v2); err != nil {
		t.Fatal(err)
	}
	before, _ := l.Indicators(ctx, v1.ID)
	if _, _, err := l.Link(ctx, v1); !errors.Is(err, ErrSuperseded) {
		t.Fatalf("linking the older version after the newer: %v, want ErrSuperseded", err)
	}
	after, _ := l.Indicators(ctx, v1.ID)
	if raw, _ := l.Raw(ctx, v1.ID); raw.Text != v2.Text || after.Seq != before.Seq {
		t.Fatalf("the refused version changed the state: text %q, seq %d -> %d", raw.Text, before.Seq, after.Seq)
	}
	// The same version again is a redelivery, not a supersession.
	if _, _, err := l.Link(ctx, v2); err != nil {
		t.Fatalf("linking the stored version again: %v", err)
	}
	gone := v2
	gone.GoneAt = t0.Add(3 * time.Hour)
	if _, _, err := l.Link(ctx, gone); err != nil {
		t.Fatalf("linking the gone marker: %v", err)
	}
	if _, _, err := l.Link(ctx, v2); !errors.Is(err, ErrSuperseded) {
		t.Fatalf("linking the live version after the gone marker: %v, want ErrSuperseded", err)
	}
	back := v2
	back.FetchedAt = t0.Add(5 * time.Hour)
	if _, _, err := l.Link(ctx, back); err != nil {
		t.Fatalf("linking the ad back up after it was gone: %v", err)
	}
}
