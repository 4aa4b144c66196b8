// Command simsites serves the simulator's invented ad sites on loopback for
// manual poking with a browser, curl or a crawler run:
//
//	go run ./cmd/simsites [--seed N] [--ads N] [--addr-rosa ADDR] [--addr-nattelys ADDR]
//
// The default addresses are the base URLs in configs/sites. It serves until
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
	seed := flag.Uint64("seed", 1, "content seed: the same seed serves the same sites")
	ads := flag.Int("ads", 0, "ads per site (0: the simulator's defaults)")
	rosa := flag.String("addr-rosa", "127.0.0.1:18081", "listen address of "+simulator.SiteRosa)
	nattelys := flag.String("addr-nattelys", "127.0.0.1:18082", "listen address of "+simulator.SiteNattelys)
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *seed, *ads, map[string]string{simulator.SiteRosa: *rosa, simulator.SiteNattelys: *nattelys}); err != nil {
		fmt.Fprintln(os.Stderr, "simsites:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, seed uint64, ads int, addrs map[string]string) error {
	sim := simulator.New(simulator.Options{Seed: seed, RosaAds: ads, NattelysAds: ads, Addrs: addrs})
	urls, err := sim.Start(ctx)
	if err != nil {
		return err
	}
	for _, site := range simulator.Sites() {
		fmt.Printf("%s\t%s\t(%d ads)\n", site, urls[site], len(sim.Ads(site)))
	}
	<-ctx.Done()
	return sim.Close()
}
