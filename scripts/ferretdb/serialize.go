package main

// FerretDB 1.x runs an update as "read the document, apply the operators in Go,
// write the whole document back", with nothing held in between: two updates of
// one document at the same time lose one of them (measured: 194 of 200
// concurrent pairs of $set, and 100 concurrent $inc counted 9). MongoDB makes
// each document update atomic, and the engine relies on that.
//
// So FerretDB listens on a private Unix socket and this proxy, on the public
// address, passes every message through unchanged, except that an update or
// findAndModify first takes a lock on what it writes: the documents its
// filters name by `_id` equality, or the whole collection when a filter names
// no single `_id`. The lock is released when FerretDB answers. Writes to
// different documents still run side by side.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sort"
	"sync"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/bsontype"
)

const (
	opMsg          = 2013
	maxMessageLen  = 48 << 20
	flagChecksum   = 1 << 0
	flagMoreToCome = 1 << 1
)

// locks: a collection lock (shared by single-document writers, exclusive for
// collection-wide ones) and one mutex per document being written.
type locks struct {
	mu          sync.Mutex
	collections map[string]*sync.RWMutex
	documents   map[string]*docLock
}

type docLock struct {
	sync.Mutex
	users int
}

func newLocks() *locks {
	return &locks{collections: map[string]*sync.RWMutex{}, documents: map[string]*docLock{}}
}

func (l *locks) collection(name string) *sync.RWMutex {
	l.mu.Lock()
	defer l.mu.Unlock()
	c, ok := l.collections[name]
	if !ok {
		c = &sync.RWMutex{}
		l.collections[name] = c
	}
	return c
}

// acquire blocks until the write may run and returns its release.
func (l *locks) acquire(w *write) func() {
	c := l.collection(w.collection)
	if w.ids == nil {
		c.Lock()
		return c.Unlock
	}
	c.RLock()
	// Sorted: two writers of the same two documents take them in the same order.
	held := make([]*docLock, 0, len(w.ids))
	for _, id := range w.ids {
		key := w.collection + "\x00" + id
		l.mu.Lock()
		d, ok := l.documents[key]
		if !ok {
			d = &docLock{}
			l.documents[key] = d
		}
		d.users++
		l.mu.Unlock()
		d.Lock()
		held = append(held, d)
	}
	return func() {
		for i, d := range held {
			d.Unlock()
			l.mu.Lock()
			if d.users--; d.users == 0 {
				delete(l.documents, w.collection+"\x00"+w.ids[i])
			}
			l.mu.Unlock()
		}
		c.RUnlock()
	}
}

// write is what an update command writes: a collection, and the `_id`s it
// names, or nil ids for "any document of the collection".
type write struct {
	collection string
	ids        []string
}

// writeOf inspects an OP_MSG; nil when the message is not an update.
func writeOf(msg []byte) *write {
	if len(msg) < 21 || int32(binary.LittleEndian.Uint32(msg[12:16])) != opMsg {
		return nil
	}
	flags := binary.LittleEndian.Uint32(msg[16:20])
	end := len(msg)
	if flags&flagChecksum != 0 {
		end -= 4
	}
	var body bson.Raw
	sequences := map[string][]bson.Raw{}
	for pos := 20; pos < end; {
		kind := msg[pos]
		pos++
		if pos+4 > end {
			return nil
		}
		size := int(binary.LittleEndian.Uint32(msg[pos : pos+4]))
		if size < 5 || pos+size > end {
			return nil
		}
		switch kind {
		case 0:
			body = bson.Raw(msg[pos : pos+size])
		case 1:
			section := msg[pos+4 : pos+size]
			nul := 0
			for nul < len(section) && section[nul] != 0 {
				nul++
			}
			if nul == len(section) {
				return nil
			}
			name := string(section[:nul])
			for docs := section[nul+1:]; len(docs) >= 5; {
				n := int(binary.LittleEndian.Uint32(docs[:4]))
				if n < 5 || n > len(docs) {
					return nil
				}
				sequences[name] = append(sequences[name], bson.Raw(docs[:n]))
				docs = docs[n:]
			}
		default:
			return nil
		}
		pos += size
	}
	if body == nil {
		return nil
	}
	elements, err := body.Elements()
	if err != nil || len(elements) == 0 {
		return nil
	}
	// The command is the first field: {update: "people", ...} or {findAndModify: "people", ...}.
	command := elements[0].Key()
	if command != "update" && command != "findAndModify" && command != "findandmodify" {
		return nil
	}
	coll, ok := elements[0].Value().StringValueOK()
	if !ok {
		return nil
	}
	db, _ := body.Lookup("$db").StringValueOK()
	w := &write{collection: db + "." + coll}

	var filters []bson.Raw
	if command == "update" {
		updates := sequences["updates"]
		if arr, ok := body.Lookup("updates").ArrayOK(); ok {
			values, _ := arr.Values()
			for _, v := range values {
				if d, ok := v.DocumentOK(); ok {
					updates = append(updates, d)
				}
			}
		}
		for _, u := range updates {
			q, ok := u.Lookup("q").DocumentOK()
			if !ok {
				return w
			}
			filters = append(filters, q)
		}
	} else {
		q, ok := body.Lookup("query").DocumentOK()
		if !ok {
			return w
		}
		filters = append(filters, q)
	}
	ids := map[string]bool{}
	for _, q := range filters {
		id, err := q.LookupErr("_id")
		if err != nil {
			return w
		}
		switch id.Type {
		case bsontype.String, bsontype.ObjectID, bsontype.Int32, bsontype.Int64, bsontype.Double:
			ids[fmt.Sprintf("%d:%x", id.Type, id.Value)] = true
		default:
			return w // {_id: {$in: ...}} and the like: any document.
		}
	}
	if len(ids) == 0 {
		return w
	}
	for id := range ids {
		w.ids = append(w.ids, id)
	}
	sort.Strings(w.ids)
	return w
}

func readMessage(r io.Reader) ([]byte, error) {
	var header [4]byte
	if _, err := io.ReadFull(r, header[:]); err != nil {
		return nil, err
	}
	n := int(binary.LittleEndian.Uint32(header[:]))
	if n < 16 || n > maxMessageLen {
		return nil, fmt.Errorf("bad message length %d", n)
	}
	msg := make([]byte, n)
	copy(msg, header[:])
	if _, err := io.ReadFull(r, msg[4:]); err != nil {
		return nil, err
	}
	return msg, nil
}

// proxy accepts clients on ln and relays each to FerretDB's Unix socket.
func proxy(ln net.Listener, upstream string, logger *slog.Logger) {
	l := newLocks()
	for {
		client, err := ln.Accept()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				logger.Error("accept failed", "error", err)
			}
			return
		}
		go relay(client, upstream, l, logger)
	}
}

func relay(client net.Conn, upstream string, l *locks, logger *slog.Logger) {
	defer client.Close()
	server, err := net.Dial("unix", upstream)
	if err != nil {
		logger.Error("cannot reach FerretDB", "error", err)
		return
	}
	defer server.Close()

	// Releases of writes in flight on this connection, by request id.
	var mu sync.Mutex
	pending := map[int32]func(){}
	releaseAll := func() {
		mu.Lock()
		defer mu.Unlock()
		for id, release := range pending {
			release()
			delete(pending, id)
		}
	}
	defer releaseAll()

	done := make(chan struct{})
	go func() {
		defer close(done)
		defer client.Close()
		for {
			reply, err := readMessage(server)
			if err != nil {
				return
			}
			responseTo := int32(binary.LittleEndian.Uint32(reply[8:12]))
			mu.Lock()
			if release, ok := pending[responseTo]; ok {
				release()
				delete(pending, responseTo)
			}
			mu.Unlock()
			if _, err := client.Write(reply); err != nil {
				return
			}
		}
	}()

	for {
		msg, err := readMessage(client)
		if err != nil {
			break
		}
		var unacknowledged func()
		if w := writeOf(msg); w != nil {
			release := l.acquire(w)
			if binary.LittleEndian.Uint32(msg[16:20])&flagMoreToCome != 0 {
				// No reply will come (w: 0): hold the lock only while handing it over.
				unacknowledged = release
			} else {
				mu.Lock()
				pending[int32(binary.LittleEndian.Uint32(msg[4:8]))] = release
				mu.Unlock()
			}
		}
		_, err = server.Write(msg)
		if unacknowledged != nil {
			unacknowledged()
		}
		if err != nil {
			break
		}
	}
	server.Close()
	<-done
}
