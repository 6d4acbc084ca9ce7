# patterns: a client rule matches the client's IP address at connect; its
# reply replaces the greeting.
!env TCPREMOTEIP=198.51.100.23
!file rules client glob 192.0.2.* reject 554 5.7.1 Not from the test net\n
!file rules client regex ^198\.51\.100\.[0-9]+$ reject 554 5.7.1 Not from there either\n
!conf [smtpd]
!conf filters = patterns
!conf [plugin patterns]
!conf rules = rules
S: 554 5.7.1 Not from there either
C: HELO x.example
S: 503 5.5.1 *
C: QUIT
S: 221 *
!log field=client verdict=reject code=554 value="198.51.100.23"
