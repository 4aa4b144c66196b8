package wait

import (
	"context"
	"testing"
	"time"
)

func TestSleep(t *testing.T) {
	if !Sleep(context.Background(), time.Millisecond) {
		t.Error("Sleep on a live context did not wait out its time")
	}
	if !Sleep(context.Background(), -time.Second) {
		t.Error("Sleep of a negative time on a live context reported an ended context")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if Sleep(ctx, time.Hour) {
		t.Error("Sleep on an ended context waited")
	}
	if Sleep(ctx, 0) {
		t.Error("Sleep(0) on an ended context reported a live one")
	}
}
