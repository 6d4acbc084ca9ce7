# A bare <postmaster> alone: stored for the first [domain], and the
# Received field names the full address.
S: 220 mx.example.test ESMTP cartero
C: EHLO client.example
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE *
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250 CHUNKING
C: MAIL FROM:<>
S: 250 2.1.0 Sender ok
C: RCPT TO:<Postmaster>
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 *
C: hi
C: .
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/postmaster 1
!mail example.org/postmaster 0
!header example.test/postmaster *for <Postmaster@example.test>;
