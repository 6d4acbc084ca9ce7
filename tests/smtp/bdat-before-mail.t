# BDAT out of sequence is refused 503 but its octets are still read
# (RFC 3030 2), so a "QUIT" inside the chunk is not a command.
S: 220 mx.example.test ESMTP cartero
C> BDAT 6\r\nQUIT\r\n
S: 503 5.5.1 Send HELO/EHLO first
C: NOOP
S: 250 2.0.0 Ok
C: EHLO client.example
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE *
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250 CHUNKING
C> BDAT 6 LAST\r\nQUIT\r\n
S: 503 5.5.1 Need MAIL command first
C: NOOP
S: 250 2.0.0 Ok
C: MAIL FROM:<bob@example.net>
S: 250 2.1.0 Sender ok
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!log code=503 status=5.5.1 cmd=BDAT
