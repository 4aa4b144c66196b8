package classifier

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/bus"
	"github.com/adwatch/adwatch/bus/bustest"
	"github.com/adwatch/adwatch/classifier/crossad"
)

// flakyLinker fails the first Current call, as a lost connection to the
// linking state would, after Link has already marked the ads to re-score.
type flakyLinker struct {
	*crossad.Linker
	failed atomic.Bool
}

func (f *flakyLinker) Current(ctx context.Context, id string) (ad.Raw, crossad.Linked, error) {
	if f.failed.CompareAndSwap(false, true) {
		return ad.Raw{}, crossad.Linked{}, errors.New("linking state unreachable")
	}
	return f.Linker.Current(ctx, id)
}

// newLinker returns a linker keeping its state on b, as the pipeline
// opens it.
func newLinker(tb testing.TB, b *bus.Bus) *crossad.Linker {
	tb.Helper()
	opts := crossad.Options{HourlyPrice: HourlyPriceDKK}
	state, err := b.KeyValueTTL(context.Background(), "crossad", opts.BucketTTL(), 1)
	if err != nil {
		tb.Fatal(err)
	}
	key, err := crossad.GenerateContactKey()
	if err != nil {
		tb.Fatal(err)
	}
	l, err := crossad.NewLinker(state, key, opts)
	if err != nil {
		tb.Fatal(err)
	}
	return l
}

// stageAd is an escort ad posted on day d with phone number phone.
func stageAd(id, name, phone string, d int) ad.Raw {
	at := time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC).AddDate(0, 0, d)
	return ad.Raw{
		ID: id, Site: "sim-rosa", URL: "https://sim-rosa.example/ad/" + id, Category: "escort", Lang: "da",
		PostedAt: at, FetchedAt: at.Add(time.Hour), Name: name, City: "Odense", Age: 24,
		Title: name + " i Odense", Text: "Hej, jeg hedder " + name + ". Ring " + phone, Phones: []string{phone},
	}
}

// TestStageLinksAndRescores runs the stage on a real JetStream with a real
// linking state: three personas behind one number are one pattern, and
// every one of the three ads ends up published with it (the first two
// re-scored when the third completed it); a linking failure half-way is
// redelivered and loses nothing; a version that its successor overtook is
// skipped; a message that is no ad is dead-lettered. With one worker and
// with several.
func TestStageLinksAndRescores(t *testing.T) {
	for _, workers := range []int{1, 4} {
		t.Run(fmt.Sprintf("%d workers", workers), func(t *testing.T) { testStageLinks(t, workers) })
	}
}

func testStageLinks(t *testing.T, workers int) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	b := bustest.Start(t)
	linker := &flakyLinker{Linker: newLinker(t, b)}

	const phone = "28 64 19 73"
	pattern := []ad.Raw{stageAd("p1", "Anna", phone, 0), stageAd("p2", "Bella", phone, 1), stageAd("p3", "Clara", phone, 2)}
	// Texts of their own: the pattern's shared wording is a template too.
	loner := stageAd("solo", "Dorte", "52 18 66 30", 0)
	loner.Text = "Moden og rolig kvinde tager imod i egen lejlighed efter aftale, skriv gerne først på 52 18 66 30."
	v1 := stageAd("moved", "Emma", "29 83 01 57", 0) // the older version, arriving last
	v1.Text = "Sporty blonde who loves travelling, meet me for coffee first: 29 83 01 57."
	v2 := v1
	v2.Text += " New photos."
	v2.FetchedAt = v2.FetchedAt.Add(2 * time.Hour)

	publish := func(id string, data []byte) {
		t.Helper()
		if err := b.Publish(ctx, bus.RawSubject("sim-rosa"), id, data); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range append(pattern, loner, v2, v1) {
		data, _ := json.Marshal(r)
		publish(r.ID+"."+r.Version(), data)
	}
	publish("junk", []byte("{not json"))

	src, err := b.Consumer(ctx, bus.ConsumerOptions{Stream: bus.RawStream, Durable: "classifier"})
	if err != nil {
		t.Fatal(err)
	}
	st := NewStage(src, b, config(t), slog.New(slog.DiscardHandler), StageOptions{Linker: linker, Workers: workers})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- st.Run(runCtx) }()
	// 5 ads scored (p1, p2, p3, solo, moved v2), 1 superseded, 1 dead letter.
	for st.Scored() < 5 || st.superseded.Load() < 1 || st.deadLettered.Load() < 1 {
		if ctx.Err() != nil {
			t.Fatalf("stage stalled: scored %d, superseded %d, dead-lettered %d", st.Scored(), st.superseded.Load(), st.deadLettered.Load())
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !linker.failed.Load() {
		t.Fatal("the linking failure was never injected: the test did not exercise a redelivery")
	}

	// What the index would hold: the highest revision of each ad.
	latest := map[string]ad.Scored{}
	msgs := map[string]int{}
	err = b.Replay(ctx, bus.ScoredStream, 100, func(data [][]byte, _, _ uint64) error {
		for _, d := range data {
			var s ad.Scored
			if err := json.Unmarshal(d, &s); err != nil {
				return err
			}
			msgs[s.ID]++
			if prev, ok := latest[s.ID]; !ok || s.Revision() >= prev.Revision() {
				latest[s.ID] = s
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range pattern {
		s, ok := latest[r.ID]
		if !ok {
			t.Fatalf("%s never published", r.ID)
		}
		if !hasIndicator(s.Assessment, crossad.ManyPersonasPerContact) || s.OrganisedActivity == 0 {
			t.Errorf("%s as published last: indicators %v, organised %d; want many_personas_per_contact scored", r.ID, indicatorIDs(s.Indicators), s.OrganisedActivity)
		}
		if s.LinkSeq == 0 && r.ID != "p3" {
			t.Errorf("%s re-scored without a change sequence: an indexer could keep its first version", r.ID)
		}
		for _, ind := range s.Indicators {
			for _, e := range ind.Evidence {
				if strings.Contains(e.Text, "28 64") || strings.Contains(e.Text, "+4528") {
					t.Errorf("%s: cross-ad evidence quotes the clear number: %q", r.ID, e.Text)
				}
			}
		}
	}
	if workers == 1 {
		// In order: the third completed the pattern, the two before it
		// were re-scored.
		for _, id := range []string{"p1", "p2"} {
			if msgs[id] < 2 {
				t.Errorf("%s published %d times, want its first scoring and the re-score", id, msgs[id])
			}
		}
		if got := st.Rescored(); got < 2 {
			t.Errorf("Rescored() = %d, want at least p1 and p2", got)
		}
	} else if got := st.Rescored(); got < 1 {
		// Linked at once, some saw the others already; the first linked
		// saw none, and must have been re-scored.
		t.Errorf("Rescored() = %d, want at least the first ad linked", got)
	}
	if s := latest["solo"]; s.OrganisedActivity != 0 || msgs["solo"] != 1 {
		t.Errorf("unlinked ad: organised %d, published %d times; want 0 and once", s.OrganisedActivity, msgs["solo"])
	}
	if s := latest["moved"]; s.Text != v2.Text || msgs["moved"] != 1 {
		t.Errorf("the ad whose older version arrived last shows %q (published %d times), want the newer text once", s.Text, msgs["moved"])
	}
	if n := len(latest); n != 5 {
		t.Errorf("%d ads published, want 5", n)
	}
}

func indicatorIDs(inds []ad.Indicator) string {
	var out []string
	for _, i := range inds {
		out = append(out, i.ID)
	}
	return fmt.Sprint(out)
}
