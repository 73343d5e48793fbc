package main

// example is one exchange of a command, as bytes on the wire. The table is
// hand-kept rather than recorded on this machine so the reference is the
// same wherever it is generated; a test checks each request against the
// command's schema, and the generator refuses a command without one.
type example struct {
	request string
	reply   string // "" for commands that answer only on error
}

func examples() map[string]example {
	return map[string]example{
		"guest-sync-delimited": {`{"execute": "guest-sync-delimited", "arguments": {"id": 123}}`, `\xff{"return": 123}`},
		"guest-sync":           {`{"execute": "guest-sync", "arguments": {"id": 123}}`, `{"return": 123}`},
		"guest-ping":           {`{"execute": "guest-ping", "id": "p1"}`, `{"return": {}, "id": "p1"}`},
		"guest-get-time":       {`{"execute": "guest-get-time"}`, `{"return": 1768478400123456000}`},
		"guest-set-time":       {`{"execute": "guest-set-time", "arguments": {"time": 1768478400123456789}}`, `{"return": {}}`},
		"guest-info": {`{"execute": "guest-info"}`,
			`{"return": {"version": "1.0.0", "supported_commands": [{"enabled": true, "name": "guest-network-get-route", "success-response": true}, {"enabled": false, "name": "guest-exec", "success-response": true}, {"enabled": true, "name": "guest-shutdown", "success-response": false}, {"enabled": true, "name": "guest-sync-delimited", "success-response": true}]}}`},
		"guest-shutdown":   {`{"execute": "guest-shutdown", "arguments": {"mode": "reboot"}}`, ""},
		"guest-file-open":  {`{"execute": "guest-file-open", "arguments": {"path": "/etc/hostname", "mode": "r"}}`, `{"return": 1000}`},
		"guest-file-close": {`{"execute": "guest-file-close", "arguments": {"handle": 1000}}`, `{"return": {}}`},
		"guest-file-read":  {`{"execute": "guest-file-read", "arguments": {"handle": 1000, "count": 4096}}`, `{"return": {"count": 3, "buf-b64": "dm0K", "eof": true}}`},
		"guest-file-write": {`{"execute": "guest-file-write", "arguments": {"handle": 1001, "buf-b64": "aGVsbG8K"}}`, `{"return": {"count": 6, "eof": false}}`},
		"guest-file-seek":  {`{"execute": "guest-file-seek", "arguments": {"handle": 1000, "offset": 0, "whence": "set"}}`, `{"return": {"eof": false, "position": 0}}`},
		"guest-file-flush": {`{"execute": "guest-file-flush", "arguments": {"handle": 1001}}`, `{"return": {}}`},

		"guest-fsfreeze-status":      {`{"execute": "guest-fsfreeze-status"}`, `{"return": "thawed"}`},
		"guest-fsfreeze-freeze":      {`{"execute": "guest-fsfreeze-freeze"}`, `{"return": 3}`},
		"guest-fsfreeze-freeze-list": {`{"execute": "guest-fsfreeze-freeze-list", "arguments": {"mountpoints": ["/", "/srv"]}}`, `{"return": 2}`},
		"guest-fsfreeze-thaw":        {`{"execute": "guest-fsfreeze-thaw"}`, `{"return": 3}`},
		"guest-fstrim": {`{"execute": "guest-fstrim", "arguments": {"minimum": 0}}`,
			`{"return": {"paths": [{"minimum": 0, "path": "/", "trimmed": 1073741824}, {"path": "/boot", "error": "trim not supported"}]}}`},

		"guest-suspend-disk":   {`{"execute": "guest-suspend-disk"}`, ""},
		"guest-suspend-ram":    {`{"execute": "guest-suspend-ram"}`, ""},
		"guest-suspend-hybrid": {`{"execute": "guest-suspend-hybrid"}`, ""},

		"guest-network-get-interfaces": {`{"execute": "guest-network-get-interfaces"}`,
			`{"return": [{"name": "lo", "ip-addresses": [{"ip-address-type": "ipv4", "ip-address": "127.0.0.1", "prefix": 8}], "statistics": {"tx-packets": 10, "tx-errs": 0, "rx-bytes": 840, "rx-dropped": 0, "rx-packets": 10, "rx-errs": 0, "tx-bytes": 840, "tx-dropped": 0}, "hardware-address": "00:00:00:00:00:00"}]}`},
		"guest-get-vcpus": {`{"execute": "guest-get-vcpus"}`, `{"return": [{"online": true, "can-offline": false, "logical-id": 0}, {"online": true, "can-offline": true, "logical-id": 1}]}`},
		"guest-set-vcpus": {`{"execute": "guest-set-vcpus", "arguments": {"vcpus": [{"logical-id": 1, "online": false}]}}`, `{"return": 1}`},
		"guest-get-disks": {`{"execute": "guest-get-disks"}`,
			`{"return": [{"name": "/dev/vda1", "dependencies": ["/dev/vda"], "partition": true}, {"name": "/dev/vda", "dependencies": [], "partition": false, "address": {"serial": "disk0", "bus-type": "virtio", "bus": 0, "unit": 0, "pci-controller": {"bus": 0, "slot": 4, "domain": 0, "function": 0}, "dev": "/dev/vda", "target": 0}}]}`},
		"guest-get-fsinfo": {`{"execute": "guest-get-fsinfo"}`,
			`{"return": [{"name": "vda1", "total-bytes": 20956397568, "total-bytes-privileged": 21003583488, "mountpoint": "/", "disk": [{"bus-type": "virtio", "bus": 0, "unit": 0, "pci-controller": {"bus": 0, "slot": 4, "domain": 0, "function": 0}, "dev": "/dev/vda1", "target": 0}], "used-bytes": 3221225472, "type": "ext4"}]}`},
		"guest-set-user-password":     {`{"execute": "guest-set-user-password", "arguments": {"username": "alice", "password": "czNjcmV0", "crypted": false}}`, `{"return": {}}`},
		"guest-get-memory-blocks":     {`{"execute": "guest-get-memory-blocks"}`, `{"return": [{"online": true, "can-offline": false, "phys-index": 0}, {"online": true, "can-offline": true, "phys-index": 1}]}`},
		"guest-set-memory-blocks":     {`{"execute": "guest-set-memory-blocks", "arguments": {"mem-blks": [{"phys-index": 1, "online": false}]}}`, `{"return": [{"response": "success", "phys-index": 1}]}`},
		"guest-get-memory-block-info": {`{"execute": "guest-get-memory-block-info"}`, `{"return": {"size": 134217728}}`},
		"guest-exec-status":           {`{"execute": "guest-exec-status", "arguments": {"pid": 4242}}`, `{"return": {"exitcode": 0, "out-data": "aGVsbG8K", "out-truncated": false, "exited": true}}`},
		"guest-exec":                  {`{"execute": "guest-exec", "arguments": {"path": "echo", "arg": ["hello"], "capture-output": true}}`, `{"return": {"pid": 4242}}`},
		"guest-get-host-name":         {`{"execute": "guest-get-host-name"}`, `{"return": {"host-name": "vm1"}}`},
		"guest-get-users":             {`{"execute": "guest-get-users"}`, `{"return": [{"login-time": 1768478400.25, "user": "alice"}]}`},
		"guest-get-timezone":          {`{"execute": "guest-get-timezone"}`, `{"return": {"zone": "CET", "offset": 3600}}`},
		"guest-get-osinfo": {`{"execute": "guest-get-osinfo"}`,
			`{"return": {"name": "Debian GNU/Linux", "kernel-release": "6.1.0-18-amd64", "version": "12 (bookworm)", "pretty-name": "Debian GNU/Linux 12 (bookworm)", "version-id": "12", "kernel-version": "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)", "machine": "x86_64", "id": "debian"}}`},
		"guest-ssh-get-authorized-keys":    {`{"execute": "guest-ssh-get-authorized-keys", "arguments": {"username": "alice"}}`, `{"return": {"keys": ["ssh-ed25519 AAAAC3Nza… alice@laptop"]}}`},
		"guest-ssh-add-authorized-keys":    {`{"execute": "guest-ssh-add-authorized-keys", "arguments": {"username": "alice", "keys": ["ssh-ed25519 AAAAC3Nza… alice@laptop"]}}`, `{"return": {}}`},
		"guest-ssh-remove-authorized-keys": {`{"execute": "guest-ssh-remove-authorized-keys", "arguments": {"username": "alice", "keys": ["ssh-ed25519 AAAAC3Nza… alice@laptop"]}}`, `{"return": {}}`},
		"guest-get-diskstats": {`{"execute": "guest-get-diskstats"}`,
			`{"return": [{"name": "vda", "stats": {"discard-sectors": 0, "write-ios": 2107, "discard-ios": 0, "discard-ticks": 0, "weight-ticks": 5244, "read-ios": 9114, "flush-ios": 611, "write-sectors": 86266, "write-merges": 1320, "write-ticks": 2776, "ios-pgr": 0, "read-sectors": 581002, "read-merges": 2711, "total-ticks": 7856, "discard-merges": 0, "flush-ticks": 306, "read-ticks": 2161}, "minor": 0, "major": 254}]}`},
		"guest-get-cpustats": {`{"execute": "guest-get-cpustats"}`,
			`{"return": [{"cpu": 0, "guestnice": 0, "idle": 1741230, "steal": 120, "iowait": 2010, "system": 11050, "guest": 0, "nice": 30, "irq": 0, "type": "linux", "user": 25340, "softirq": 480}]}`},
		"guest-get-load": {`{"execute": "guest-get-load"}`, `{"return": {"load15m": 0.050000000000000003, "load5m": 0.080000000000000002, "load1m": 0.12}}`},
		"guest-network-get-route": {`{"execute": "guest-network-get-route"}`,
			`{"return": [{"flags": 3, "metric": 0, "refcnt": 0, "window": 0, "version": 4, "iface": "eth0", "destination": "0.0.0.0", "irtt": 0, "gateway": "10.0.2.2", "use": 0, "mtu": 0, "mask": "0.0.0.0"}]}`},

		"__com.example_hello": {`{"execute": "__com.example_hello", "arguments": {"name": "host"}}`, `{"return": {"greeting": "Hello, host!"}}`},
	}
}
