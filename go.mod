module github.com/gohttpx/httpx

go 1.24.0

require (
	github.com/andybalholm/brotli v1.2.8
	github.com/klauspost/compress v1.19.2
	github.com/mccutchen/go-httpbin/v2 v2.20.0
	github.com/stretchr/testify v1.12.1
	go.uber.org/goleak v1.3.0
	golang.org/x/net v0.50.0
	golang.org/x/text v0.34.0
)

require go.yaml.in/yaml/v3 v3.0.5 // indirect
