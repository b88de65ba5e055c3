// Command ferretdb-embedded serves the MongoDB wire protocol through FerretDB's
// embeddable package, because `go install .../cmd/ferretdb` cannot be built here.
// FerretDB listens on a private Unix socket; the public address is served by a
// proxy that makes document updates atomic (serialize.go).
// Flags: -listen (loopback address), -handler (postgresql|sqlite),
// -postgresql-url, -sqlite-url, -pprof (a loopback address serving Go's
// profiles, for benchmarks; off by default). Runs until SIGINT/SIGTERM.
package main

import (
	"context"
	"flag"
	"log"
	"log/slog"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	handler := flag.String("handler", "postgresql", "backend: postgresql or sqlite")
	pgURL := flag.String("postgresql-url", "", "PostgreSQL connection string")
	sqliteURL := flag.String("sqlite-url", "", "SQLite directory URI, e.g. file:data/")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	pprofAddr := flag.String("pprof", "", "loopback address serving /debug/pprof (off when empty)")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		log.Fatalf("bad -log-level: %v", err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	if *pprofAddr != "" {
		if host, _, err := net.SplitHostPort(*pprofAddr); err != nil || !net.ParseIP(host).IsLoopback() {
			log.Fatalf("-pprof must be a loopback address, got %q", *pprofAddr)
		}
		go func() { logger.Error("pprof stopped", "err", http.ListenAndServe(*pprofAddr, nil)) }()
	}

	dir, err := os.MkdirTemp("", "ferretdb-embedded-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	socket := filepath.Join(dir, "ferretdb.sock")

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:      ferretdb.ListenerConfig{Unix: socket},
		Logger:        logger,
		Handler:       *handler,
		PostgreSQLURL: *pgURL,
		SQLiteURL:     *sqliteURL,
	})
	if err != nil {
		log.Fatal(err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	failed := make(chan error, 1)
	go func() { failed <- f.Run(ctx) }()

	// The public port opens only once FerretDB answers behind it: open means ready.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("unix", socket); err == nil {
			c.Close()
			break
		}
		select {
		case err := <-failed:
			log.Fatalf("FerretDB stopped while starting: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			log.Fatal("FerretDB did not open its socket within 30 s")
		}
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	go proxy(ln, socket, logger)

	// Run returns once ctx is cancelled; a failure returns at once.
	err = <-failed
	ln.Close()
	if err != nil && ctx.Err() == nil {
		log.Fatal(err)
	}
}
