module github.com/gohttpx/httpx

go 1.24.0

require (
	github.com/andybalholm/brotli v1.2.8 // indirect
	github.com/jdx/go-netrc v1.0.0 // indirect
	github.com/klauspost/compress v1.19.2 // indirect
	github.com/mccutchen/go-httpbin/v2 v2.20.0 // indirect
	github.com/stretchr/testify v1.12.1 // indirect
	go.uber.org/goleak v1.3.0 // indirect
	golang.org/x/net v0.50.0 // indirect
	golang.org/x/text v0.34.0 // indirect
)
