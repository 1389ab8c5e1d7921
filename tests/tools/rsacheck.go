// rsacheck: Go's own checks of RSA private keys, and FIPS 186-5's criteria for them, with
// Go's big integers (tests/cli/test_rsakeys.sh).
//
//	go run rsacheck.go BITS KEY.pem...
//
// For each PKCS#8 key: rsa.PrivateKey.Validate (n = p q, d e = 1 mod p - 1 and q - 1), and
// FIPS 186-5 B.3.1 and B.3.3: e = 65537, n of BITS bits, two primes p and q (20 rounds of
// Miller-Rabin and Baillie-PSW, Go's ProbablyPrime) of BITS/2 bits each, at least
// sqrt(2) 2^(BITS/2 - 1) (p^2 >= 2^(BITS - 1)), |p - q| > 2^(BITS/2 - 100), d = e^-1 mod
// lcm(p - 1, q - 1) and d > 2^(BITS/2); the CRT values are d mod p - 1, d mod q - 1 and
// q^-1 mod p (dockdrop's order: p > q, as BearSSL wants). One line per key, "ok FILE" or
// "FAIL FILE: why"; exit 1 if any failed.
package main

import (
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"strconv"
)

// The CRT values as the file has them (Go's parser recomputes its own from d).
type pkcs8 struct {
	Version    int
	Algo       pkix.AlgorithmIdentifier
	PrivateKey []byte
}
type pkcs1 struct {
	Version               int
	N                     *big.Int
	E                     int
	D, P, Q, Dp, Dq, Qinv *big.Int
}

func check(bits int, file string) error {
	text, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	block, _ := pem.Decode(text)
	if block == nil || block.Type != "PRIVATE KEY" {
		return fmt.Errorf("no PRIVATE KEY block")
	}
	any, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return err
	}
	k, ok := any.(*rsa.PrivateKey)
	if !ok {
		return fmt.Errorf("not an RSA key")
	}
	if err := k.Validate(); err != nil {
		return fmt.Errorf("Validate: %v", err)
	}
	if k.E != 65537 {
		return fmt.Errorf("e = %d", k.E)
	}
	if k.N.BitLen() != bits || len(k.Primes) != 2 {
		return fmt.Errorf("n of %d bits, %d primes", k.N.BitLen(), len(k.Primes))
	}
	one := big.NewInt(1)
	half := bits / 2
	p, q := k.Primes[0], k.Primes[1]
	floor := new(big.Int).Lsh(one, uint(bits-1))
	for _, x := range []*big.Int{p, q} {
		if x.BitLen() != half || !x.ProbablyPrime(20) {
			return fmt.Errorf("a factor of %d bits, or not prime", x.BitLen())
		}
		if new(big.Int).Mul(x, x).Cmp(floor) < 0 {
			return fmt.Errorf("a factor below sqrt(2) 2^(%d - 1)", half)
		}
	}
	if p.Cmp(q) <= 0 {
		return fmt.Errorf("p <= q")
	}
	diff := new(big.Int).Sub(p, q)
	if diff.Cmp(new(big.Int).Lsh(one, uint(half-100))) <= 0 {
		return fmt.Errorf("|p - q| <= 2^(%d - 100)", half)
	}
	pm := new(big.Int).Sub(p, one)
	qm := new(big.Int).Sub(q, one)
	g := new(big.Int).GCD(nil, nil, pm, qm)
	lcm := new(big.Int).Div(new(big.Int).Mul(pm, qm), g)
	want := new(big.Int).ModInverse(big.NewInt(int64(k.E)), lcm)
	if want == nil || k.D.Cmp(want) != 0 {
		return fmt.Errorf("d is not e^-1 mod lcm(p - 1, q - 1)")
	}
	if k.D.Cmp(new(big.Int).Lsh(one, uint(half))) <= 0 {
		return fmt.Errorf("d <= 2^%d", half)
	}
	var outer pkcs8
	var inner pkcs1
	if _, err := asn1.Unmarshal(block.Bytes, &outer); err != nil {
		return err
	}
	if _, err := asn1.Unmarshal(outer.PrivateKey, &inner); err != nil {
		return err
	}
	if inner.Dp.Cmp(new(big.Int).Mod(k.D, pm)) != 0 ||
		inner.Dq.Cmp(new(big.Int).Mod(k.D, qm)) != 0 ||
		inner.Qinv.Cmp(new(big.Int).ModInverse(q, p)) != 0 {
		return fmt.Errorf("CRT values")
	}
	return nil
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: rsacheck BITS KEY.pem...")
		os.Exit(2)
	}
	bits, err := strconv.Atoi(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "rsacheck: BITS:", err)
		os.Exit(2)
	}
	rc := 0
	for _, f := range os.Args[2:] {
		if err := check(bits, f); err != nil {
			fmt.Printf("FAIL %s: %v\n", f, err)
			rc = 1
		} else {
			fmt.Printf("ok %s\n", f)
		}
	}
	os.Exit(rc)
}
