# Recipients in two local domains each get one copy; with more than one
# recipient Received has no "for" clause.
!user example.test/alice
!user example.test/carol
!user example.org/bob
S: 220 mx.example.test ESMTP cartero
C: EHLO client.example
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE *
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250 CHUNKING
C: MAIL FROM:<dave@example.net>
S: 250 2.1.0 Sender ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<bob@example.org>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<carol@example.test>
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 *
C: Subject: to three
C: .
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/alice 1
!mail example.test/carol 1
!mail example.org/bob 1
!body example.org/bob Subject: to three\r\n
!header example.org/bob *by mx.example.test (cartero) with ESMTP id *;
!log nrcpt=3 rcpts="alice@example.test,bob@example.org,carol@example.test"
