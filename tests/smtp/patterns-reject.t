# patterns: reject and defer by glob and regex at HELO, MAIL, RCPT and end
# of data; each verdict is logged with the rule's file and line.
!user example.test/alice
!user example.test/bob
!file rules # patterns for this test\n
!file rules helo glob *.evil.example reject 550 5.7.1 Go away, HELO\n
!file rules sender glob *@SPAM.example reject 553 5.7.1 Sender refused by rule\n
!file rules sender regex ^slow[0-9]+@ reject 450 4.7.1 Come back later\n
!file rules recipient regex ^(bob|carol)@ reject 550 5.1.1 No such person\n
!file rules header regex ^subject:.*cheap[[:space:]]+pills reject 554 5.7.1 Message content rejected\n
!file rules header glob X-Mailer:*bulk* reject 451 4.7.1 Bulk mail later\n
!conf [smtpd]
!conf filters = patterns
!conf [plugin patterns]
!conf rules = rules
S: 220 *
C: HELO mx.Evil.Example
S: 550 5.7.1 Go away, HELO
C: HELO good.example
S: 250 mx.example.test
C: MAIL FROM:<x@spam.example>
S: 553 5.7.1 Sender refused by rule
C: MAIL FROM:<slow42@ok.example>
S: 450 4.7.1 Come back later
C: MAIL FROM:<x@ok.example>
S: 250 2.1.0 Sender ok
C: RCPT TO:<bob@example.test>
S: 550 5.1.1 No such person
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 *
C: From: x@ok.example
C: Subject: very
C:   CHEAP  pills
C:
C: body
C: .
S: 554 5.7.1 Message content rejected
C: MAIL FROM:<x@ok.example>
S: 250 2.1.0 Sender ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 *
C: X-Mailer: BulkSender 2.0
C:
C: body
C: .
S: 451 4.7.1 Bulk mail later
C: MAIL FROM:<x@ok.example>
S: 250 2.1.0 Sender ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 *
C: Subject: the body has what the rules look for
C:
C: Subject: cheap pills
C: X-Mailer: bulk
C: .
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 *
!mail example.test/alice 1
!log /rules:2 field=helo verdict=reject code=550 value="mx.Evil.Example"
!log /rules:3 field=sender verdict=reject code=553 value="x@spam.example"
!log /rules:4 field=sender verdict=defer code=450 value="slow42@ok.example"
!log /rules:5 field=recipient verdict=reject code=550 value="bob@example.test"
!log /rules:6 field=header verdict=reject code=554 value="Subject: very CHEAP  pills"
!log /rules:7 field=header verdict=defer code=451 value="X-Mailer: BulkSender 2.0"
!log plugin=patterns hook=data verdict=reject code=554
