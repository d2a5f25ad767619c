/** Node instance ids: `<node>_<6 chars [a-z0-9]>`, unique within the deployment. */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function instanceIdMaker(random: () => number = Math.random): (node: string) => string {
  const used = new Set<string>();
  return (node) => {
    for (;;) {
      let suffix = '';
      for (let i = 0; i < 6; i++)
        suffix += ALPHABET[Math.floor(random() * ALPHABET.length) % ALPHABET.length];
      const id = `${node}_${suffix}`;
      if (!used.has(id)) {
        used.add(id);
        return id;
      }
    }
  };
}
