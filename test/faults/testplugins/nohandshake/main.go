// Command nohandshake is a test plugin that never answers go-plugin's
// handshake: it prints nothing and sleeps until it is killed.
package main

import "time"

func main() {
	for {
		time.Sleep(time.Hour)
	}
}
