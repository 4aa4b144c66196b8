// Command adwatch crawls ad sites, scores every ad for human-trafficking risk
// indicators and serves the results to outreach workers. Run `adwatch help`.
package main

import "os"

func main() {
	os.Exit(runCLI(os.Args[1:], os.Stdout, os.Stderr))
}
