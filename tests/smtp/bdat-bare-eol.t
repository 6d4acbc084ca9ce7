# BDAT content obeys the DATA rule: a bare LF or CR anywhere (also a CR at
# the very end, or one split from its LF by a chunk with another octet)
# gets 554 5.6.0 at LAST and nothing is stored.
!user example.test/alice
S: 220 mx.example.test ESMTP cartero
C: EHLO client.example
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE *
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250 CHUNKING
C: MAIL FROM:<bob@example.net>
S: 250 2.1.0 Sender ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Recipient ok
C> BDAT 4\r\nab\r\n
S: 250 2.0.0 Ok: octets received: 4
C> BDAT 5 LAST\r\nc\nd\r\n
S: 554 5.6.0 Message has a bare CR or LF; lines must end with CRLF
C: MAIL FROM:<bob@example.net>
S: 250 2.1.0 Sender ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Recipient ok
C> BDAT 3 LAST\r\nab\r
S: 554 5.6.0 Message has a bare CR or LF; lines must end with CRLF
C: MAIL FROM:<bob@example.net>
S: 250 2.1.0 Sender ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Recipient ok
C> BDAT 3\r\nab\r
S: 250 2.0.0 Ok: octets received: 3
C> BDAT 3 LAST\r\nx\r\n
S: 554 5.6.0 Message has a bare CR or LF; lines must end with CRLF
C: MAIL FROM:<bob@example.net>
S: 250 2.1.0 Sender ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Recipient ok
C> BDAT 5 LAST\r\na\rb\r\n
S: 554 5.6.0 Message has a bare CR or LF; lines must end with CRLF
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/alice 0
!tmp-empty example.test/alice
!nolog event=stored
