import {
  MultiService,
  Service,
  type ServiceParent,
  ServiceParentError,
} from "../../app/mod.ts";
import { succeed } from "../../deferred/deferred.ts";
import {
  assertEquals,
  assertStrictEquals,
  assertThrows,
  test,
} from "../../trial/mod.ts";

test("a service is running between startService and stopService", async () => {
  const service = new Service("s");
  assertEquals(service.running, false);
  await service.startService();
  assertEquals(service.running, true);
  await service.stopService();
  assertEquals(service.running, false);
});

test("setServiceParent adds the service to its parent", () => {
  const parent = new MultiService();
  const child = new Service("child");
  child.setServiceParent(parent);
  assertStrictEquals(child.parent, parent);
  assertStrictEquals(parent.getServiceNamed("child"), child);
});

test("a service with a parent cannot be given a second one", () => {
  const child = new Service();
  child.setServiceParent(new MultiService());
  assertThrows(
    () => child.setServiceParent(new MultiService()),
    ServiceParentError,
  );
});

test("disownServiceParent detaches and stops a running service", async () => {
  const parent = new MultiService();
  const child = new Service("child");
  child.setServiceParent(parent);
  await parent.startService();
  await child.disownServiceParent();
  assertEquals(child.parent, null);
  assertEquals(child.running, false);
  assertEquals(parent.getServiceNamed("child"), undefined);
  await parent.stopService();
});

test("disownServiceParent without a parent does nothing", async () => {
  await new Service().disownServiceParent();
});

test("a service joins any ServiceParent, not only a MultiService", async () => {
  const added: Service[] = [];
  const parent: ServiceParent = {
    parent: null,
    addService(service) {
      added.push(service);
      service.parent = parent;
      return succeed<void>(undefined);
    },
    removeService(service) {
      service.parent = null;
      return succeed<void>(undefined);
    },
  };
  const child = new Service("child");
  await child.setServiceParent(parent);
  assertEquals(added, [child]);
  assertStrictEquals(child.parent, parent);
  await child.disownServiceParent();
  assertEquals(child.parent, null);
});
