# RSET in the middle of a chunked message drops it (the 503 text says to
# send RSET, so RSET must work); a new transaction then succeeds.
!user example.test/alice
!user example.test/bob
S: 220 mx.example.test ESMTP cartero
C: EHLO client.example
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE *
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250 CHUNKING
C: MAIL FROM:<carol@example.net>
S: 250 2.1.0 Sender ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Recipient ok
C> BDAT 8\r\ndropped\n
S: 250 2.0.0 Ok: octets received: 8
C: RSET
S: 250 2.0.0 Reset state
C> BDAT 4 LAST\r\nxx\r\n
S: 503 5.5.1 Need MAIL command first
C: MAIL FROM:<carol@example.net>
S: 250 2.1.0 Sender ok
C: RCPT TO:<bob@example.test>
S: 250 2.1.5 Recipient ok
C> BDAT 5 LAST\r\nkept\n
S: 554 5.6.0 Message has a bare CR or LF; lines must end with CRLF
C: MAIL FROM:<carol@example.net>
S: 250 2.1.0 Sender ok
C: RCPT TO:<bob@example.test>
S: 250 2.1.5 Recipient ok
C> BDAT 6 LAST\r\nkept\r\n
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/alice 0
!mail example.test/bob 1
!body example.test/bob kept\r\n
!tmp-empty example.test/alice
