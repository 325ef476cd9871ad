import { describe, expect, it } from "vitest";
import { isPrivateAddress } from "../../../app/domain/private-address";

/** The host as the URL parser hands it over (IPv6 in brackets, compressed, IPv4 tails written in hex). */
const hostOf = (address: string) => new URL(`https://${address}/`).hostname;

describe("private addresses the app must not call", () => {
  it.each([
    "localhost",
    "LOCALHOST.",
    "api.localhost",
    "127.0.0.1",
    "127.8.9.10",
    "0.0.0.0",
    "10.0.0.5",
    "100.64.0.1",
    "169.254.169.254",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.2",
    "198.18.0.1",
    "224.0.0.1",
    "255.255.255.255",
    "[::]",
    "[::1]",
    "[fc00::1]",
    "[fd12:3456::1]",
    "[fe80::1]",
    "[ff02::1]",
  ])("GIVEN the host %s WHEN checked THEN it is private", (host) => {
    expect(isPrivateAddress(host)).toBe(true);
  });

  it.each([
    "[::ffff:127.0.0.1]",
    "[::ffff:169.254.169.254]",
    "[::ffff:10.0.0.5]",
    "[::ffff:192.168.1.2]",
    "[::ffff:7f00:1]",
    "[0:0:0:0:0:ffff:a9fe:a9fe]",
    "[::127.0.0.1]",
    "[::a9fe:a9fe]",
    "[::ffff:0:127.0.0.1]",
    "[64:ff9b::127.0.0.1]",
    "[64:ff9b::a9fe:a9fe]",
    "[64:ff9b:1::1]",
    "[2002:7f00:1::]",
    "[2002:a9fe:a9fe::1]",
  ])(
    "GIVEN an IPv6 form of a private IPv4 address, %s, as the URL parser writes it WHEN checked THEN it is private",
    (address) => {
      expect(isPrivateAddress(hostOf(address))).toBe(true);
    },
  );

  it.each([
    "shop.example.com",
    "8.8.8.8",
    "172.32.0.1",
    "100.128.0.1",
    "[2606:4700::1111]",
    "[::ffff:8.8.8.8]",
    "[64:ff9b::8.8.8.8]",
    "[2002:808:808::1]",
    "[fc1::1]",
  ])("GIVEN the public host %s WHEN checked THEN it is not private", (host) => {
    expect(isPrivateAddress(hostOf(host))).toBe(false);
  });
});
