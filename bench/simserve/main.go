// Command simserve serves the simulated sites with a chosen number of ads,
// for bench/crawl-rss.sh. It prints each site's base URL and serves until
// interrupted.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/adwatch/adwatch/simulator"
)

func main() {
	ads := flag.Int("ads", 2000, "ads per site")
	seed := flag.Uint64("seed", 1, "content seed")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	sim := simulator.New(simulator.Options{Seed: *seed, RosaAds: *ads, NattelysAds: *ads})
	urls, err := sim.Start(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, site := range simulator.Sites() {
		fmt.Printf("%s %s\n", site, urls[site])
	}
	<-ctx.Done()
	if err := sim.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
